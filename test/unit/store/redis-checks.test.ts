import { describe, expect, it } from 'vitest';
import { evictionRefusal, infoField, persistenceOf } from '../../../src/store/redis-checks.js';

/** As Redis sends INFO: a `# Section` line, `name:value` lines, CRLF line ends. */
const PERSISTENCE = [
  '# Persistence',
  'loading:0',
  'aof_enabled:0',
  'aof_enabled_x:1',
  'rdb_changes_since_last_save:3',
  '',
].join('\r\n');

describe('INFO parsing', () => {
  it('reads a field by its whole name, ignoring the section line and CRLF', () => {
    expect(infoField(PERSISTENCE, 'aof_enabled')).toBe('0');
    expect(infoField(PERSISTENCE, 'rdb_changes_since_last_save')).toBe('3');
    expect(infoField(PERSISTENCE, 'aof')).toBeUndefined();
    expect(infoField(PERSISTENCE, '# Persistence')).toBeUndefined();
    expect(infoField('# Memory\r\nmaxmemory_policy:allkeys-lru\r\n', 'maxmemory_policy')).toBe('allkeys-lru');
  });

  it('finds persistence from the AOF flag and the save points, and leaves RDB unknown when CONFIG was refused', () => {
    expect(persistenceOf(PERSISTENCE, '')).toEqual({ aof: false, rdb: false });
    expect(persistenceOf(PERSISTENCE, '3600 1 300 100')).toEqual({ aof: false, rdb: true });
    expect(persistenceOf(PERSISTENCE.replace('aof_enabled:0', 'aof_enabled:1'), '')).toEqual({ aof: true, rdb: false });
    expect(persistenceOf(PERSISTENCE, undefined)).toEqual({ aof: false, rdb: undefined });
  });

  it('says in one line which server evicts, under which policy, and how to fix it', () => {
    const line = evictionRefusal('redis://host:6379', 'allkeys-lru');
    expect(line).not.toContain('\n');
    expect(line).toBe(
      'Redis at redis://host:6379 evicts keys (maxmemory-policy allkeys-lru): set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)',
    );
  });
});
