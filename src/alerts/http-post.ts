import { ChannelRefusedError, ChannelUnavailableError } from './channel-errors';

const TIMEOUT_MS = 15_000;

/** Seconds or an HTTP date, as Retry-After carries them; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Why a request got no answer, without its URL (a webhook URL is a secret). */
function unreachable(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  return (error as Error).name === 'TimeoutError'
    ? `no answer within ${TIMEOUT_MS / 1000} s`
    : (error as Error).name;
}

/**
 * POSTs a JSON body to a channel's URL. 2xx: taken. 5xx, 408, 429 and no answer: try again later.
 * Any other answer (4xx, a redirect) means the channel's settings are wrong: named, not retried.
 */
export async function postJson(
  channel: { name: string; variables: string },
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      // A redirect would re-send the notice elsewhere, or as a GET: the setting should name the target.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ChannelUnavailableError(
      `alert channel ${channel.name} could not be reached (${unreachable(error)})`,
    );
  }
  const answer = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 120);
  if (response.ok) return;
  const said = `HTTP ${response.status}${answer ? ` "${answer}"` : ''}`;
  const { status } = response;
  if (status >= 500 || status === 408 || status === 429) {
    throw new ChannelUnavailableError(
      `alert channel ${channel.name} answered ${said}`,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
  throw new ChannelRefusedError(
    `alert channel ${channel.name} refused the notice with ${said}: check ${channel.variables}`,
  );
}
