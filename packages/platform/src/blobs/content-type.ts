import { ValidationError } from '@marquee/core';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
// RFC 6838 caps type and subtype at 127 characters each; parameters (charset, codecs) fit in the rest.
const MAX_CONTENT_TYPE_BYTES = 255;
// Visible ASCII and spaces only: the value travels as an HTTP header, where anything else breaks or smuggles.
const HEADER_SAFE = /^[\x20-\x7e]+$/;

/** The content type to record: the default when none is given; refused when it could not be a header. */
export function contentTypeFor(contentType: string | undefined): string {
  if (contentType === undefined || contentType === '') return DEFAULT_CONTENT_TYPE;
  if (
    contentType.length > MAX_CONTENT_TYPE_BYTES ||
    !HEADER_SAFE.test(contentType) ||
    !contentType.includes('/')
  ) {
    throw new ValidationError(`content type ${JSON.stringify(contentType)} is not a valid media type`, {
      contentType,
    });
  }
  return contentType;
}
