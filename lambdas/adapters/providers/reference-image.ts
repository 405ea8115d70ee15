import { baseContentType } from '../../domain/output-store';
import type { ReferenceImage } from '../../domain/model-clients';
import { ModelProviderError } from '../../domain/model-clients';

/**
 * A reference image as sent: its type lowercased without parameters, its bytes as given. One that is
 * not an `image/*` type with non-empty standard base64 is refused before any call, as ours: the
 * worker reads them from our own outputs bucket, so a malformed one is our bug, not the user's.
 * (Whether the provider takes that image type is its to say: a 400, the user's, in words.)
 * `what` names it in the message ("A reference image", "The first-frame image").
 */
export function checkedReference(image: ReferenceImage, what = 'A reference image'): ReferenceImage {
  const contentType = baseContentType(image.contentType);
  if (!/^image\/[a-z0-9.+-]+$/.test(contentType) || !isBase64(image.base64)) {
    throw new ModelProviderError('ours', 'invalid_reference_image', `${what} is malformed (type ${JSON.stringify(image.contentType)}, ${image.base64.length} base64 characters); nothing was sent.`);
  }
  return { contentType, base64: image.base64 };
}

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}
