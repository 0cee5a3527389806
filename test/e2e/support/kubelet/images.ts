// The images the kubelet stand-in can run: what scripts/odoo-images built,
// by reference. An image is a stack of root filesystem layers and the
// config a container runtime reads (user, environment, entrypoint).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../../scripts/function-process.js';

export interface Image {
  reference: string;
  /** Root filesystem layers, top first (overlayfs lowerdir order). */
  layers: string[];
  user: { uid: number; gid: number };
  env: string[];
  workingDir: string;
  entrypoint: string[];
}

export const IMAGES_FILE = join(ROOT, '.tools', 'odoo-images', 'images.json');
export const E2E_REGISTRY = 'registry.e2e.test/odoo';

export function loadImages(file = IMAGES_FILE): Map<string, Image> {
  if (!existsSync(file)) throw new Error(`${file} is missing: scripts/odoo-images builds the test images of Odoo (npm run test:e2e runs it)`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { user: string; env: string[]; workingDir: string; entrypoint: string[]; layers: string[] }>;
  return new Map(
    Object.entries(raw).map(([reference, c]) => {
      const [uid, gid] = c.user.split(':').map(Number);
      return [reference, { reference, layers: c.layers, user: { uid: uid!, gid: gid! }, env: c.env, workingDir: c.workingDir, entrypoint: c.entrypoint }];
    }),
  );
}

/** The home directory of `uid` in the image, from the topmost layer's /etc/passwd, as container runtimes set HOME. */
export function homeOf(image: Image, uid: number): string {
  for (const layer of image.layers) {
    const passwd = join(layer, 'etc', 'passwd');
    if (!existsSync(passwd)) continue;
    const entry = readFileSync(passwd, 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => Number(f[2]) === uid);
    return entry?.[5] ?? '/';
  }
  return '/';
}
