import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const PREFIX = 'data:image/png;base64,';

/** Reads the text a `data:image/png;base64,...` QR code encodes, as a phone's camera would. */
export function decodeQrDataUrl(dataUrl: string): string {
  if (!dataUrl.startsWith(PREFIX)) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 40)}`);
  const png = PNG.sync.read(Buffer.from(dataUrl.slice(PREFIX.length), 'base64'));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!code) throw new Error('no QR code found in the image');
  return code.data;
}
