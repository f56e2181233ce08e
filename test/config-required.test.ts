// A setting that takes one of a fixed set of values and is left out is reported as missing, with the values to choose.
import { ConfigError } from '../lib/config/errors';
import { baseConfigFile, loadFrom } from './helpers';

function linesOf(content: unknown): string[] {
  try {
    loadFrom(content);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.lines];
    throw err;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

describe('loadConfig', () => {
  test('GIVEN an environment without a profile WHEN the configuration is loaded THEN profile is named as required with its values', () => {
    // GIVEN
    const cfg = baseConfigFile();
    cfg.environments = [{ suffix: 'pr7' }];
    // WHEN
    const lines = linesOf(cfg);
    // THEN
    expect(lines).toEqual([
      expect.stringMatching(
        /environments\[pr7\]\.profile: is required \(got nothing\); set it to one of production, preview$/,
      ),
    ]);
  });

  test('GIVEN a profile that does not exist WHEN the configuration is loaded THEN it is a value not allowed', () => {
    const cfg = baseConfigFile();
    cfg.environments = [{ suffix: 'pr7', profile: 'staging' }];
    expect(linesOf(cfg)).toEqual([
      expect.stringMatching(
        /environments\[pr7\]\.profile: is not an allowed value \(got "staging"\); use one of production, preview$/,
      ),
    ]);
  });
});
