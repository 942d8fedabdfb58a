import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialSource } from './cdktf-cli';

describe('credentialSource', () => {
  const emptyHome = mkdtempSync(join(tmpdir(), 'infra-home-'));

  it('finds none without variables or files, so diff/deploy stop before calling AWS', () => {
    expect(credentialSource({}, emptyHome)).toBeUndefined();
  });

  it('names the environment variable or the shared file it found', () => {
    expect(credentialSource({ AWS_PROFILE: 'producer' }, emptyHome)).toBe('environment (AWS_PROFILE)');
    const home = mkdtempSync(join(tmpdir(), 'infra-home-'));
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\n');
    expect(credentialSource({}, home)).toBe(join(home, '.aws', 'credentials'));
  });
});
