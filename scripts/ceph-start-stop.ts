/**
 * Starts and stops the tests' one-node Ceph (tests/support/object-store.ts) N times in a row (default 10), each
 * time creating a bucket through its gateway, and says how long each start took. `tsx scripts/ceph-start-stop.ts 10`.
 */
import { startCeph } from '../tests/support/object-store.ts';

const times = Number(process.argv[2] ?? 10);
for (let round = 1; round <= times; round += 1) {
  const started = Date.now();
  const ceph = await startCeph();
  await ceph.createBucket(`round-${round}`);
  console.log(`start ${round}/${times}: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await ceph.stop();
}
