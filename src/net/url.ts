// The host part of a URL, for messages and rules: one definition (a URL that does not parse has none).

/** The URL's hostname (IPv6 without brackets), or '' when `url` does not parse. */
export function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** The URL's host (hostname and any non-default port, as the URL writes it), or undefined when `url` does not parse. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
