// The server container's environment (pure): config env < request env < JUPYTERHUB_SERVICE_URL,
// split into plain values and secret ones. Secret values go into the server's Secret and reach
// the pod through secretKeyRef, so they never appear in the pod spec.

/** Names whose values are credentials: the hub token and anything that looks like one. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY)/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export interface ServerEnvInput {
  configEnv: Readonly<Record<string, string>>;
  requestEnv: Readonly<Record<string, string>>;
  /** Container port and the server's URL prefix ('/user/alice/'). */
  port: number;
  prefix: string;
}

export interface ServerEnv {
  plain: Record<string, string>;
  secret: Record<string, string>;
}

/** The bind URL: every interface of the pod, on the container port, under the prefix. */
export function podServiceUrl(port: number, prefix: string): string {
  return `http://0.0.0.0:${port}${prefix}`;
}

export function buildServerEnv(input: ServerEnvInput): ServerEnv {
  const merged: Record<string, string> = { ...input.configEnv, ...input.requestEnv };
  merged.JUPYTERHUB_SERVICE_URL = podServiceUrl(input.port, input.prefix);
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) {
    if (isSecretEnvName(name)) secret[name] = value;
    else plain[name] = value;
  }
  return { plain, secret };
}

/**
 * Kubernetes expands $(NAME) in env values and reduces '$$' to '$'; doubling every '$' keeps a
 * value literal, so a user called "$(HOME)" stays "$(HOME)".
 */
export function escapeEnvValue(value: string): string {
  return value.replaceAll('$', '$$$$');
}
