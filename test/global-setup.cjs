// The child-process tests run the same bundle `npm run synth` runs; build it (if stale) once before them.
module.exports = () => {
  require('../scripts/build.cjs');
};
