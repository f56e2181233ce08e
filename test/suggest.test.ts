import { closest, editDistance } from '../lib/config/suggest';

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['enviroments', 'environments', 1],
    ['engine_version', 'engineVersion', 1],
    ['imagetag', 'imageTag', 0],
    ['natGateway', 'natGateways', 1],
    // a swap of two neighbours is one edit, not two
    ['reigon', 'region', 1],
    ['ca', 'abc', 3],
  ])('%j → %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const known = ['environments', 'platform', 'registry', 'defaults'];

  test('GIVEN a likely typo THEN the known name it was meant to be', () => {
    expect(closest('enviroments', known)).toBe('environments');
    expect(closest('Platfrom', known)).toBe('platform');
    expect(closest('default', known)).toBe('defaults');
  });

  test('GIVEN a name close to nothing THEN no suggestion', () => {
    expect(closest('colour', ['priceClass', 'viewerProtocolPolicy', 'cachedPathPatterns'])).toBeUndefined();
    // short names allow one edit only: `ab` is not a typo of `cd`
    expect(closest('ab', ['cd'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
  });

  test('GIVEN two candidates THEN the nearer one, and the first listed on a tie', () => {
    expect(closest('cpus', ['memory', 'cpu'])).toBe('cpu');
    expect(closest('ab', ['ax', 'ay'])).toBe('ax');
  });
});
