import { spawnSync } from 'node:child_process';

export type ImageAvailability = { available: true } | { available: false; reason: string };

/**
 * Whether an image is present locally or can be pulled. Decided synchronously so that a
 * suite whose image cannot be had is declared skipped (and says why) instead of failing.
 */
export function checkImage(image: string): ImageAvailability {
  if (spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0) {
    return { available: true };
  }
  const pull = spawnSync('docker', ['pull', image], { encoding: 'utf8', timeout: 180_000 });
  if (pull.status === 0) return { available: true };
  const why = (pull.stderr || pull.error?.message || 'unknown error').trim().split('\n').pop();
  return {
    available: false,
    reason: `image ${image} is not on this machine and cannot be pulled (${why}); run 'make images' or set the image variable`,
  };
}

/** `describe` that runs when every image can be had and is reported skipped, loudly, when not. */
export function describeWithImages(images: readonly string[]): jest.Describe {
  for (const image of images) {
    const availability = checkImage(image);
    if (!availability.available) {
      process.stderr.write(`\n*** SKIPPED: ${availability.reason}\n\n`);
      return describe.skip;
    }
  }
  return describe;
}
