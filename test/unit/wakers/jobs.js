// A module that keeps a lock's release in a variable of its own, as a program
// keeps a job queue's lock between calls (test/unit/wakers-holders.test.ts).
let release;

async function takeJobsLock(lock) {
  release = await lock.acquire();
}

module.exports = {takeJobsLock, held: () => release !== undefined};
