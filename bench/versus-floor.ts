/**
 * A handler against its floor, measured in turns on the same machine: each iteration runs the
 * handler once and the floor (the bare DynamoDB requests it cannot avoid) once, in alternating
 * order, so that both see the same noise. Used for the pre-token trigger and the SCIM routes.
 */
export interface VersusFloor {
  name: string;
  floor: string;
  p50Ms: number;
  p99Ms: number;
  floorP50Ms: number;
  ratio: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

export async function versusFloor(
  spec: {
    name: string;
    floor: string;
    /** One call of the handler; `i` numbers the call, for fresh inputs. */
    run: (i: number) => Promise<unknown>;
    floorRun: (i: number) => Promise<unknown>;
  },
  options: { iterations: number; warmup: number },
): Promise<VersusFloor> {
  const times: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < options.warmup + options.iterations; i++) {
    const timed = async (f: (i: number) => Promise<unknown>) => {
      const t0 = performance.now();
      await f(i);
      return performance.now() - t0;
    };
    const [handlerMs, floorMs] =
      i % 2 === 0
        ? [await timed(spec.run), await timed(spec.floorRun)]
        : [await timed(spec.floorRun), await timed(spec.run)].reverse();
    if (i < options.warmup) continue;
    times.push(handlerMs!);
    floorTimes.push(floorMs!);
  }
  const p50 = quantile(times, 0.5);
  const floorP50 = quantile(floorTimes, 0.5);
  return {
    name: spec.name,
    floor: spec.floor,
    p50Ms: round(p50),
    p99Ms: round(quantile(times, 0.99)),
    floorP50Ms: round(floorP50),
    ratio: round(p50 / floorP50),
  };
}
