/** How the example server texts customers. A real server plugs in its SMS gateway here. */
export interface SmsSender {
  send(phoneNumber: string, text: string): Promise<void>;
}

/** Logs each message (the example's default) and keeps them for inspection. */
export class LoggingSmsSender implements SmsSender {
  readonly sent: Array<{ to: string; text: string }> = [];
  constructor(private readonly log: (line: string) => void = (line) => console.log(line)) {}

  async send(phoneNumber: string, text: string): Promise<void> {
    this.sent.push({ to: phoneNumber, text });
    this.log(`[sms] to ${maskPhone(phoneNumber)}: ${maskLinkTokens(text)}`);
  }

  /** The last message sent to a number. */
  lastTo(phoneNumber: string): string | undefined {
    return this.sent.filter((m) => m.to === phoneNumber).at(-1)?.text;
  }
}

/** `+420777123456` → `+420*****3456`: logs never hold a whole phone number. */
export function maskPhone(phoneNumber: string): string {
  return phoneNumber.length <= 6
    ? '***'
    : `${phoneNumber.slice(0, 4)}${'*'.repeat(phoneNumber.length - 8)}${phoneNumber.slice(-4)}`;
}

/** Link tokens are the customer's key to their verification: logs show only their start. */
export function maskLinkTokens(text: string): string {
  return text.replace(/([?&]token=)([\w-]{8})[\w.-]*/g, '$1$2…');
}
