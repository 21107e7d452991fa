import { PassThrough, type Readable } from 'node:stream';

/** Where the parts go: S3 calls of one multipart upload. */
export interface PartTarget {
  /** Sends part `partNumber`, `length` bytes read from `body`; resolves to its ETag. */
  uploadPart(partNumber: number, body: Readable, length: number, signal: AbortSignal): Promise<string>;
  /** Keeps bytes short of S3's smallest part aside, for the next request to send first (@tus/s3-store's layout). */
  putIncomplete(bytes: Buffer): Promise<void>;
}

export type PartPlan = {
  /** The number of the first part sent. */
  firstPart: number;
  partSize: number;
  /** S3's smallest part but the last. */
  minPartSize: number;
  /** What the last request kept aside, sent ahead of the body. */
  carried: Buffer | undefined;
  /** Bytes from the start of `carried` (or of the body) to the end of the upload; undefined when its length is open. */
  untilEnd: number | undefined;
  /** Bytes the body brings, when the request says (Content-Length). */
  bodyLength: number | undefined;
  /** How many parts may be on their way to S3 at once. */
  inFlight: number;
};

export type SentPart = { PartNumber: number; ETag: string };

/**
 * Sends a request's body to S3 as parts while it arrives, without temp files: a part whose length is known (from
 * the request's Content-Length, or once it is full) streams to S3 from memory, up to `inFlight` at once, and the
 * request is read no faster than they go. Bytes of a request that ends short (its sender went away) are kept: as a
 * part of their own when they reach S3's smallest part, else set aside like @tus/s3-store does.
 *
 * Parts finish in order: the last byte of a part is held back until the part before it is on S3, so that what S3
 * holds is always the upload's beginning, whatever fails or dies, and the next request (on any instance) finds the
 * offset in S3's list of parts, as @tus/s3-store does.
 *
 * `onKept` sees each byte of the body in order. Resolves to the body's bytes kept and the parts sent; rejects with
 * the first failure from S3, after the parts before it are on S3 and those after it stopped.
 */
export async function sendParts(
  body: AsyncIterable<Buffer>,
  plan: PartPlan,
  target: PartTarget,
  onKept: ((chunk: Buffer) => void) | undefined,
): Promise<{ bytes: number; parts: SentPart[] }> {
  const { partSize, minPartSize } = plan;
  const carried = plan.carried?.length ?? 0;
  const total = plan.bodyLength === undefined ? undefined : carried + plan.bodyLength;
  const sent: SentPart[] = [];
  /** Parts on their way, oldest first. */
  const going: OutgoingPart[] = [];
  let failure: { error: unknown } | undefined;
  let laidOut = 0;
  let nextNumber = plan.firstPart;
  let current: OutgoingPart | undefined;

  const isLast = (end: number) => plan.untilEnd !== undefined && end === plan.untilEnd;
  /** A part's length, when it is known from where it starts: the rest of a body of known length, up to a part. */
  const plannedLength = (start: number): number | undefined =>
    total === undefined ? undefined : Math.min(partSize, total - start);
  const startPart = (length: number) => {
    const part = current as OutgoingPart;
    part.start(length, target, going.at(-1)?.done);
    part.done.then(
      (etag) => sent.push({ PartNumber: part.number, ETag: etag }),
      (error: unknown) => {
        if (!part.abandoned) failure ??= { error };
      },
    );
    going.push(part);
  };
  const take = async (chunk: Buffer) => {
    let rest = chunk;
    while (rest.length > 0 && !failure) {
      if (!current) {
        // Room for one more part on its way; the request waits meanwhile.
        while (going.length >= plan.inFlight) await (going.shift() as OutgoingPart).settled;
        current = new OutgoingPart(nextNumber, laidOut);
        const length = plannedLength(laidOut);
        if (length !== undefined && (length >= minPartSize || isLast(laidOut + length))) startPart(length);
      }
      const room = partSize - current.size;
      const piece = rest.length > room ? rest.subarray(0, room) : rest;
      current.push(piece);
      laidOut += piece.length;
      rest = rest.subarray(piece.length);
      if (current.size === partSize) {
        if (!current.started) startPart(partSize);
        current = undefined;
        nextNumber += 1;
      } else if (current.started && current.size === current.length) {
        current = undefined;
        nextNumber += 1;
      }
    }
  };

  if (plan.carried && plan.carried.length > 0) await take(plan.carried);
  try {
    for await (const chunk of body) {
      if (failure) break;
      onKept?.(chunk);
      await take(chunk);
    }
  } catch {
    // The sender went away: what arrived is kept, as tus keeps it.
  }
  // What is left: bytes of a request that ended short, or of a body whose length was not said.
  const left = current;
  if (left?.started && left.size < (left.length ?? 0)) left.abandon();
  await Promise.allSettled(going.map((part) => part.settled));
  if (!failure && left && left.size > 0 && (!left.started || left.size < (left.length ?? 0))) {
    try {
      if (left.size >= minPartSize || isLast(laidOut)) {
        const again = new OutgoingPart(left.number, left.offset);
        again.push(left.bytes());
        again.start(left.size, target, undefined);
        sent.push({ PartNumber: left.number, ETag: await again.done });
      } else {
        await target.putIncomplete(left.bytes());
      }
    } catch (error) {
      failure = { error };
    }
  }
  if (failure) throw failure.error;
  sent.sort((a, b) => a.PartNumber - b.PartNumber);
  return { bytes: laidOut - carried, parts: sent };
}

/** One part: its bytes as they arrive, and, once its length is known, its upload streaming them. */
class OutgoingPart {
  readonly #chunks: Buffer[] = [];
  readonly #stop = new AbortController();
  #stream: PassThrough | undefined;
  /** The part's last byte, held until the part before it is on S3. */
  #held: Buffer | undefined;
  #beforeDone = false;
  size = 0;
  length: number | undefined;
  /** Stopped on purpose: its request ended short, and its bytes go again another way. */
  abandoned = false;
  done: Promise<string> = Promise.reject(new Error('part not started'));
  /** `done` settled, either way. */
  settled: Promise<unknown> = Promise.resolve();

  constructor(
    readonly number: number,
    /** Where the part starts among the bytes laid out by this request. */
    readonly offset: number,
  ) {
    this.done.catch(() => undefined);
  }

  get started(): boolean {
    return this.#stream !== undefined;
  }

  start(length: number, target: PartTarget, before: Promise<string> | undefined): void {
    this.length = length;
    const stream = new PassThrough();
    this.#stream = stream;
    this.done = target.uploadPart(this.number, stream, length, this.#stop.signal);
    this.settled = this.done.catch(() => undefined);
    this.#chunks.forEach((chunk, index) => this.#write(chunk, index === this.#chunks.length - 1));
    (before ?? Promise.resolve('')).then(
      () => {
        this.#beforeDone = true;
        this.#endIfComplete();
      },
      () => this.#stop.abort(),
    );
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.size += chunk.length;
    if (this.#stream) this.#write(chunk, true);
  }

  /** The part's bytes, for sending them again or setting them aside. */
  bytes(): Buffer {
    return this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
  }

  /** Stops the part's upload: its request ended short. */
  abandon(): void {
    this.abandoned = true;
    this.#stop.abort();
  }

  #write(chunk: Buffer, last: boolean): void {
    const stream = this.#stream as PassThrough;
    if (last && this.size === this.length) {
      if (chunk.length > 1) stream.write(chunk.subarray(0, -1));
      this.#held = chunk.subarray(-1);
      this.#endIfComplete();
    } else {
      stream.write(chunk);
    }
  }

  #endIfComplete(): void {
    if (this.#held && this.#beforeDone) {
      (this.#stream as PassThrough).end(this.#held);
      this.#held = undefined;
    }
  }
}
