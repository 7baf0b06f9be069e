/**
 * Where a command's configuration comes from: a JSON file (`--config`), or the
 * environment (`IDV_PROVIDER`, `IDV_<PROVIDER>_<OPTION>`), optionally with a
 * `.env` file (`--env-file`) beneath it.
 *
 * In a JSON file, a string value may be or contain `${NAME}`: it is replaced by
 * the environment variable `NAME` (from the environment or the `--env-file`),
 * so secrets stay out of the file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ConfigError,
  configFromEnv,
  defaultRegistry,
  envVarName,
  type IdvConfig,
  type ProviderRegistry,
  parseConfig,
} from 'idv-providers';
import { unreadableReason } from '../shared/file-errors';
import { parseEnvFile } from './env-file';
import type { CliIO } from './io';
import { jsonDepthError, jsonErrorPosition, MAX_JSON_DEPTH } from './json-position';

/** One option as given, with the name it was given under. */
export interface GivenOption {
  /** The option's name (`apiToken`). */
  option: string;
  /** Where it came from: the option name in a file, or the environment variable. */
  label: string;
  /** The value (may be secret: print through `displayValue`). */
  value: unknown;
}

/** A loaded, validated configuration. */
export interface LoadedConfig {
  /** The config, ready for `createProvider`. */
  config: IdvConfig;
  /** The provider it names. */
  provider: string;
  /** Where it came from, for the report (`environment`, `environment + .env`, `config.json`). */
  source: string;
  /** The options given (defaults left out), in the order given. */
  given: GivenOption[];
  /** The validated options, defaults filled in. */
  options: Record<string, unknown>;
  /** Notes for the user (variables shadowed by the environment, ...). */
  notes: string[];
}

/** The flags every config-reading command takes. */
export interface ConfigFlags {
  /** `--config`: a JSON file. */
  configFile?: string | undefined;
  /** `--env-file`: a `.env` file. */
  envFile?: string | undefined;
  /**
   * Called with the provider's name before its options are validated, so a
   * command for one provider only can say so first. Throws to refuse it.
   */
  acceptProvider?: ((provider: string) => void) | undefined;
}

async function readText(path: string, what: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    const reason = unreadableReason(error);
    throw new ConfigError(`[idv] ${what} ${path}: ${reason}`);
  }
}

/** ` (near line L, column C)`, computed from the text (never quoting it). */
function jsonPosition(text: string): string {
  const at = jsonErrorPosition(text);
  return at === undefined ? '' : ` (near line ${at.line}, column ${at.column})`;
}

/** The option a path starts with (`clock` of `clock.now.0`), for messages: deeper keys are the file's own text. */
const topOption = (path: string): string => path.split('.')[0] ?? path;

function expandReferences(
  value: unknown,
  env: CliIO['env'],
  path: string,
  file: string,
  depth = 0,
): unknown {
  if (depth > MAX_JSON_DEPTH) {
    throw new ConfigError(
      `[idv] ${file}: option "${topOption(path)}" is nested more than ${MAX_JSON_DEPTH} levels deep`,
      { option: topOption(path) },
    );
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined || found === '') {
        throw new ConfigError(
          `[idv] ${file}: option "${path}" refers to \${${name}}, which is not set in the environment`,
          { option: path },
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => expandReferences(item, env, `${path}.${i}`, file, depth + 1));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        expandReferences(item, env, path === '' ? key : `${path}.${key}`, file, depth + 1),
      ]),
    );
  }
  return value;
}

async function environment(
  io: CliIO,
  flags: ConfigFlags,
  cwd: string,
): Promise<{ env: Record<string, string | undefined>; notes: string[] }> {
  if (flags.envFile === undefined) return { env: { ...io.env }, notes: [] };
  const fromFile = parseEnvFile(
    await readText(flags.envFile, 'env file', cwd),
    `env file ${flags.envFile}`,
  );
  const notes: string[] = [];
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(io.env)) {
    if (value === undefined) continue;
    if (name in fromFile && fromFile[name] !== value) {
      notes.push(`${name} is set in the environment and in ${flags.envFile}: the environment wins`);
    }
    env[name] = value;
  }
  return { env, notes };
}

/**
 * Loads and validates the configuration a command was pointed at, for a
 * provider of `registry`. Throws `ConfigError`.
 */
export async function loadConfig(
  io: CliIO,
  flags: ConfigFlags,
  registry: ProviderRegistry = defaultRegistry,
): Promise<LoadedConfig> {
  const cwd = io.cwd ?? process.cwd();
  const { env, notes } = await environment(io, flags, cwd);

  if (flags.configFile !== undefined) {
    const file = flags.configFile;
    const text = await readText(file, 'config file', cwd);
    // Before parsing: every later step walks the value, and a deep one would overflow the stack.
    const tooDeep = jsonDepthError(text);
    if (tooDeep !== undefined) {
      throw new ConfigError(
        `[idv] config file ${file} nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep (near line ${tooDeep.line}, column ${tooDeep.column})`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ConfigError(`[idv] config file ${file} is not valid JSON${jsonPosition(text)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(
        `[idv] config file ${file} must hold a JSON object with a "provider" field`,
      );
    }
    const config = expandReferences(raw, env, '', file) as IdvConfig;
    if (typeof config.provider === 'string') flags.acceptProvider?.(config.provider);
    const { definition, options } = parseConfig(config, registry);
    const given = Object.entries(config)
      .filter(([option]) => option !== 'provider')
      .map(([option, value]) => ({ option, label: option, value }));
    return {
      config,
      provider: definition.name,
      source: file,
      given,
      options: options as Record<string, unknown>,
      notes,
    };
  }

  if (env['IDV_PROVIDER'] === undefined || env['IDV_PROVIDER'].trim() === '') {
    const names = registry
      .names()
      .map((name) => JSON.stringify(name))
      .join(', ');
    throw new ConfigError(
      `[idv] no provider given: set IDV_PROVIDER to one of ${names} (with its IDV_<PROVIDER>_* variables), or pass --config file.json or --env-file .env`,
      { option: 'provider' },
    );
  }
  flags.acceptProvider?.(env['IDV_PROVIDER'].trim());
  const config = configFromEnv(env, registry);
  const { definition, options } = parseConfig(config, registry);
  const given = Object.entries(config)
    .filter(([option]) => option !== 'provider')
    .map(([option, value]) => ({ option, label: envVarName(definition.name, option), value }));
  return {
    config,
    provider: definition.name,
    source: flags.envFile === undefined ? 'environment' : `environment + ${flags.envFile}`,
    given,
    options: options as Record<string, unknown>,
    notes,
  };
}
