/**
 * The HLS overflow tier of this server (issue #12), wired in one call from server.ts: a signer
 * (SPACECRAFT_HLS_URL_SECRET, or a random one per process), an OverflowTier writing under a
 * folder of its own (SPACECRAFT_HLS_DIR or the system's temp folder, never the repository) and
 * its HTTP routes. `close()` stops every packager and removes the folder.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.ts';
import { registerHlsRoutes } from './http/hls-routes.ts';
import { HlsSigner } from './http/hls-signing.ts';
import type { Logger } from './logger.ts';
import { OPEN_ACCESS, OverflowTier, type OverflowAccess } from './spaces/overflow-tier.ts';
import type { SpaceRegistry } from './spaces/space-registry.ts';

export function scaleTier(
  app: FastifyInstance,
  deps: { config: ServerConfig; registry: SpaceRegistry; logger: Logger; access?: OverflowAccess },
): { tier: OverflowTier; close(): Promise<void> } {
  const { scale } = deps.config;
  const root = join(scale.hlsDir ?? tmpdir(), `spacecraft-hls-${process.pid}-${randomBytes(4).toString('hex')}`);
  const signer = new HlsSigner(scale.hlsUrlSecret ?? randomBytes(32), scale.hlsUrlTtlSeconds);
  // The ticket check of ticketed Spaces plugs in as `access`; until then every live Space is open.
  const tier = new OverflowTier({ registry: deps.registry, root, segmentSeconds: scale.hlsSegmentSeconds, signer, access: deps.access ?? OPEN_ACCESS, logger: deps.logger });
  registerHlsRoutes(app, { tier, signer, segmentSeconds: scale.hlsSegmentSeconds, urlsPerIpPerMinute: deps.config.limits.joinsPerIpPerMinute });
  return {
    tier,
    close: async () => {
      tier.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
