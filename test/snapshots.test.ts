// Built from the seed fixture (test/fixtures/seed.yaml): editing config/environments.yaml does not change them.
import { defaultSynth } from './helpers';

describe('chart snapshots (reviewers read the YAML diff; behaviour is asserted in the other suites)', () => {
  const { files } = defaultSynth();
  test.each(files.map((f) => [f.file, f]))('%s', (_file, f) => {
    expect(f.text).toMatchSnapshot();
  });
});
