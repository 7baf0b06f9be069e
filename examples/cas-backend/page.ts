/**
 * The verification page the customer opens from the SMS link. In production it
 * embeds the provider's capture (Onfido's web SDK with the SDK token, or a link
 * to Jumio's hosted page). Against the emulators, a button stands in for the
 * capture. When the customer is done, the page calls *submit* with its signed
 * token, then shows the identity's status as it changes.
 */

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1d2433; }
  h1 { font-size: 1.5rem; }
  .card { border: 1px solid #d5dae3; border-radius: 12px; padding: 1.25rem 1.5rem; margin: 1rem 0; }
  button, a.button { font: inherit; padding: .6rem 1.2rem; border-radius: 8px; border: 0; background: #2451d6; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
  button[disabled] { background: #9aa7c7; cursor: default; }
  .status { font-weight: 600; }
  .error { color: #a3162c; }
  small { color: #5b6478; }`;

function layout(title: string, body: string, status = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body data-page-status="${escapeHtml(status)}">${body}</body></html>`;
}

/** The page for a valid link. */
export function verificationPage(view: {
  token: string;
  provider: string;
  identityId: string;
  expiresAt: string;
  sdkToken?: string | undefined;
  hostedUrl?: string | undefined;
  emulatedCapture: boolean;
}): string {
  const capture = view.emulatedCapture
    ? `<p>Take a photo of your identity document and a selfie.</p>
       <button id="capture" data-testid="capture">Capture document and selfie (emulated)</button>`
    : view.hostedUrl !== undefined
      ? `<p>Continue to ${escapeHtml(view.provider)} to photograph your document and take a selfie, then come back here.</p>
         <a class="button" id="hosted" href="${escapeHtml(view.hostedUrl)}" target="_blank" rel="noopener">Continue</a>`
      : `<div id="capture-mount" data-sdk-token="${escapeHtml(view.sdkToken ?? '')}"><!-- mount ${escapeHtml(view.provider)}'s web SDK here with this SDK token --></div>`;
  const body = `
  <h1>Verify your identity</h1>
  <div class="card step" id="step-capture">${capture}</div>
  <div class="card">
    <div class="step">
    <p>When you have finished, tell us so we can check your documents.</p>
    <button id="finish" data-testid="finish" ${view.emulatedCapture ? 'disabled' : ''}>I have finished</button>
    </div>
    <p id="message" role="status"></p>
  </div>
  <p class="step"><small>This link is valid until <time datetime="${escapeHtml(view.expiresAt)}">${escapeHtml(view.expiresAt)}</time>.</small></p>
  <script>
    const token = ${JSON.stringify(view.token)};
    const message = document.getElementById('message');
    const finish = document.getElementById('finish');
    const capture = document.getElementById('capture');
    const show = (text, cls) => { message.textContent = text; message.className = cls || ''; };
    // What the customer reads when a call fails: never the server's error text.
    const failure = (status) => status === 401
      ? 'This verification link is not valid. Please use the link from your most recent message.'
      : 'Something went wrong. Please try again in a few minutes.';
    async function post(path) {
      const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw Object.assign(new Error(failure(response.status)), { status: response.status });
      return body;
    }
    if (capture) capture.addEventListener('click', async () => {
      capture.disabled = true;
      try { await post('/verify/capture'); show('Photos taken.'); finish.disabled = false; }
      catch (e) { show(e.message, 'error'); capture.disabled = false; }
    });
    for (const time of document.querySelectorAll('time[datetime]')) {
      time.textContent = new Date(time.dateTime).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    }
    async function poll() {
      const response = await fetch('/verify/status?token=' + encodeURIComponent(token));
      const body = await response.json();
      document.body.dataset.pageStatus = body.state;
      show(body.text, 'status');
      if (body.final) {
        for (const card of document.querySelectorAll('.step')) card.hidden = true;
        return;
      }
      setTimeout(poll, 300);
    }
    finish.addEventListener('click', async () => {
      finish.disabled = true;
      try { await post('/serverapi/apiv1/identity-check/submit'); show('Thank you, we are checking your documents…', 'status'); poll(); }
      catch (e) {
        // Already submitted, or the result came in first: show where the identity stands.
        if (e.status === 409) { poll(); return; }
        show(e.message, 'error'); finish.disabled = false;
      }
    });
  </script>`;
  return layout('Verify your identity', body, 'link_sent');
}

/** The page for a link that cannot be used. */
export function refusedPage(reason: 'expired' | 'invalid' | 'replaced'): string {
  const text = {
    expired: 'This verification link has expired. Please start again at the ATM to get a new link.',
    invalid:
      'This verification link is not valid. Please use the link from your most recent message.',
    replaced:
      'This verification link has been replaced by a newer one. Please use the link from your most recent message.',
  }[reason];
  return layout(
    'Verification link',
    `<h1>Verification link</h1><div class="card"><p class="error" data-testid="refused">${escapeHtml(text)}</p></div>`,
    `refused_${reason}`,
  );
}

/** The page for a link whose verification has moved on: where the identity stands. */
export function statusPage(view: { state: string; text: string }): string {
  return layout(
    'Verification status',
    `<h1>Verify your identity</h1><div class="card"><p class="status" id="message" role="status">${escapeHtml(view.text)}</p></div>`,
    view.state,
  );
}
