/** The upload endpoint: the receiver that served the page, unless the user points elsewhere. */

export function defaultEndpoint(): string {
  return new URL('files/', window.location.href).href;
}

/** One sentence on what is wrong with an endpoint the user typed, or '' when it is usable. */
export function endpointProblem(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `The Upload endpoint "${text}" is not a web address. Enter one like ${defaultEndpoint()}.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `The Upload endpoint must start with https:// or http:// (it starts with ${url.protocol}//).`;
  }
  return '';
}
