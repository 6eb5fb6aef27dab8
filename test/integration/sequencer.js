// Runs unit tests first and integration tests last, in name order, so the tests that change shared
// state of the test stack (zz-*: moving a whole user's book) come after everything that relies on it.
const Sequencer = require('@jest/test-sequencer').default;

const isIntegration = (path) => path.includes('/test/integration/');

class IntegrationLast extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => {
      const ia = isIntegration(a.path);
      const ib = isIntegration(b.path);
      if (ia !== ib) return ia ? 1 : -1;
      return ia ? a.path.localeCompare(b.path) : 0;
    });
  }
}

module.exports = IntegrationLast;
