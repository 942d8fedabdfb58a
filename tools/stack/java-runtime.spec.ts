import { parseJavaFeatureVersion } from './java-runtime';

describe('parseJavaFeatureVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "11.0.2" 2019-01-15 LTS', 11],
  ])('reads %s as %d', (output, version) => {
    expect(parseJavaFeatureVersion(output)).toBe(version);
  });

  it('returns undefined for output that names no version', () => {
    expect(parseJavaFeatureVersion('bash: java: command not found')).toBeUndefined();
  });
});
