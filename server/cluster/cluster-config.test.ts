import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

const cluster = { SPACECRAFT_NODE_ROLE: 'edge', SPACECRAFT_REDIS_URL: 'redis://:hunter2-password@redis:6379', SPACECRAFT_CLUSTER_SECRET: 's'.repeat(32) };

describe('cluster configuration', () => {
  it('is off without a role: a server on its own', () => {
    expect(loadConfig({}).cluster).toBeNull();
  });

  it('reads a node with its defaults', () => {
    const config = loadConfig({ ...cluster, SPACECRAFT_NODE_ID: 'edge-7' }).cluster!;
    expect(config).toMatchObject({ role: 'edge', nodeId: 'edge-7', heartbeatMs: 1000, ttlMs: 3000, edgeListeners: 5000, edgeJoinsPerSecond: 500, workerJoinsPerSecond: 200 });
    expect(loadConfig(cluster).cluster!.nodeId).toMatch(/^edge-/);
  });

  it('needs Redis and the shared secret with a role, and names both', () => {
    const error = (() => {
      try {
        loadConfig({ SPACECRAFT_NODE_ROLE: 'relay' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('SPACECRAFT_REDIS_URL');
    expect(error.message).toContain('SPACECRAFT_CLUSTER_SECRET');
  });

  it('refuses bad values without echoing secrets', () => {
    expect(() => loadConfig({ ...cluster, SPACECRAFT_NODE_ROLE: 'leader' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...cluster, SPACECRAFT_CLUSTER_SECRET: 'short-secret-xyz' })).toThrow(/SPACECRAFT_CLUSTER_SECRET.*value hidden/);
    expect(() => loadConfig({ ...cluster, SPACECRAFT_CLUSTER_SECRET: 'short-secret-xyz' })).not.toThrow(/short-secret-xyz/);
    expect(() => loadConfig({ ...cluster, SPACECRAFT_REDIS_URL: 'http://:hunter2@redis' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ ...cluster, SPACECRAFT_NODE_ID: 'a b' })).toThrow(/SPACECRAFT_NODE_ID/);
    expect(() => loadConfig({ ...cluster, SPACECRAFT_NODE_HEARTBEAT_MS: '3000', SPACECRAFT_NODE_TTL_MS: '3000' })).toThrow(/longer than SPACECRAFT_NODE_HEARTBEAT_MS/);
  });
});
