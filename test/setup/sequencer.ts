/**
 * The order test files start in: the longest first (they were measured; see docs/testing.md),
 * so that two workers finish together instead of one running the longest file alone at the
 * end. Every other file keeps vitest's own order (by its cached duration, else its size).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The files that take longest on the 2-core machine, longest first (seconds, about). */
const LONGEST = [
  'test/faults.test.ts', // 60
  'test/hostile-processing.test.ts', // 57
  'test/bench.test.ts', // 52
  'test/edge-bounds.test.ts', // 51
  'test/cache-life.test.ts', // 46
  'test/cli.test.ts', // 43
  'test/page.test.ts', // 35
  'worker/runtime/processor.test.ts', // 24
  'test/proxy-delivery.test.ts', // 18
  'worker/adapters/redis.test.ts', // 17
];

const rank = (spec: TestSpecification) => {
  const i = LONGEST.findIndex((f) => spec.moduleId.endsWith(`/${f}`));
  return i < 0 ? LONGEST.length : i;
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // A stable sort: files of the same rank keep vitest's order.
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map((x) => x.spec);
  }
}
