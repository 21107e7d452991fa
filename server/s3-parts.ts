import { Readable } from 'node:stream';

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
  /** Where parts are held while they go; each buffer holds one part. */
  buffers: PartBuffers;
};

export type SentPart = { PartNumber: number; ETag: string };

/**
 * The running digests of the body's bytes, told where S3's parts end, so that the digests saved for each offset S3
 * may hold are there before S3 holds it (see RunningDigests). Offsets count from the start of the plan (of
 * `carried`, which the digests already saw).
 */
export interface PartDigests {
  /** The body's bytes, in order, as they are laid into parts. */
  update(chunk: Buffer): void;
  /** Saves the digests of every byte up to `end`; a part ending there is finished on S3 only once this resolves. */
  checkpoint(end: number): Promise<void>;
  /** S3 holds every byte up to `end`: in parts, or (`asPart` false) the last ones set aside. */
  kept(end: number, asPart: boolean): void;
}

/**
 * Buffers of one part's size, used again once their part is on S3: a request's bytes are copied into them as they
 * arrive, so the socket's chunks die young, and what stays in memory while S3 takes it is a few large buffers
 * rather than thousands of chunks that the garbage collector has to walk.
 */
export class PartBuffers {
  readonly #free: Buffer[] = [];

  constructor(
    readonly partSize: number,
    /** How many free buffers are kept for the next parts; the rest go to the garbage collector. */
    readonly kept: number,
  ) {}

  /** A buffer of `size` bytes: one kept, when it is the usual part size. */
  take(size: number): Buffer {
    return (size === this.partSize ? this.#free.pop() : undefined) ?? Buffer.allocUnsafeSlow(size);
  }

  give(buffer: Buffer): void {
    if (buffer.length === this.partSize && this.#free.length < this.kept) this.#free.push(buffer);
  }
}

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
 * `digests` see each byte of the body in order, and a part's last byte waits until they are saved at its end.
 * Resolves to the body's bytes kept and the parts sent; rejects with the first failure from S3, after the parts
 * before it are on S3 and those after it stopped.
 */
export async function sendParts(
  body: AsyncIterable<Buffer>,
  plan: PartPlan,
  target: PartTarget,
  digests: PartDigests | undefined,
): Promise<{ bytes: number; parts: SentPart[] }> {
  const { minPartSize, buffers, partSize } = plan;
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
  const send = (part: OutgoingPart, length: number) => {
    part.start(length, target, going.at(-1)?.done);
    part.done.then(
      (etag) => {
        sent.push({ PartNumber: part.number, ETag: etag });
        buffers.give(part.buffer);
        digests?.kept(part.first + length, true);
      },
      (error: unknown) => {
        if (!part.abandoned) failure ??= { error };
      },
    );
    going.push(part);
  };
  /** Lays `chunk` into parts; `hashed` when the digests have not seen it yet (they saw `carried`). */
  const take = async (chunk: Buffer, hashed: boolean) => {
    let at = 0;
    while (at < chunk.length && !failure) {
      if (!current) {
        // Room for one more part on its way; the request waits meanwhile.
        while (going.length >= plan.inFlight) await (going.shift() as OutgoingPart).settled;
        if (failure) return;
        current = new OutgoingPart(nextNumber, laidOut, buffers.take(partSize));
        // A part's length is known where it starts when the body's is: the rest of the body, up to a part.
        const length = total === undefined ? undefined : Math.min(partSize, total - laidOut);
        if (length !== undefined && (length >= minPartSize || isLast(laidOut + length)))
          send(current, length);
      }
      const copied = current.push(chunk, at);
      if (hashed) digests?.update(chunk.subarray(at, at + copied));
      at += copied;
      laidOut += copied;
      if (current.size === (current.length ?? partSize)) {
        current.whole(digests?.checkpoint(laidOut));
        if (!current.started) send(current, partSize);
        current = undefined;
        nextNumber += 1;
      }
    }
  };

  if (plan.carried && plan.carried.length > 0) await take(plan.carried, false);
  try {
    for await (const chunk of body) {
      if (failure) break;
      await take(chunk, true);
    }
  } catch {
    // The sender went away: what arrived is kept, as tus keeps it.
  }
  // What is left: bytes of a request that ended short, or of a body whose length was not said.
  const left = current;
  left?.abandon();
  await Promise.allSettled(going.map((part) => part.settled));
  if (!failure && left && left.size > 0) {
    try {
      await digests?.checkpoint(laidOut);
      const asPart = left.size >= minPartSize || isLast(laidOut);
      if (asPart) {
        const again = new OutgoingPart(left.number, left.first, left.buffer, left.size);
        again.whole(undefined);
        again.start(left.size, target, undefined);
        sent.push({ PartNumber: left.number, ETag: await again.done });
      } else {
        await target.putIncomplete(left.buffer.subarray(0, left.size));
      }
      digests?.kept(laidOut, asPart);
      // A buffer whose upload was stopped halfway is left to the garbage collector, not written again.
      if (!left.abandoned) buffers.give(left.buffer);
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
  readonly #stop = new AbortController();
  #stream: PartStream | undefined;
  /** Resolves once every byte of the part is in and its digests are saved. */
  readonly #whole: Promise<void>;
  #isWhole: (checkpoint: Promise<void> | undefined) => void = () => undefined;
  length: number | undefined;
  /** Stopped on purpose: its request ended short, and its bytes go again another way. */
  abandoned = false;
  done: Promise<string> = Promise.reject(new Error('part not started'));
  /** `done` settled, either way. */
  settled: Promise<unknown> = Promise.resolve();

  constructor(
    readonly number: number,
    /** Where the part starts, counted from the start of the plan. */
    readonly first: number,
    readonly buffer: Buffer,
    /** Bytes of the part in `buffer` so far. */
    public size = 0,
  ) {
    this.done.catch(() => undefined);
    this.#whole = new Promise<void>((resolve) => (this.#isWhole = resolve));
    this.#whole.catch(() => undefined);
  }

  /** Every byte of the part is in; its last one goes to S3 once `checkpoint` (the digests saved) resolves. */
  whole(checkpoint: Promise<void> | undefined): void {
    this.#isWhole(checkpoint);
  }

  get started(): boolean {
    return this.#stream !== undefined;
  }

  start(length: number, target: PartTarget, before: Promise<string> | undefined): void {
    this.length = length;
    const stream = new PartStream(this);
    this.#stream = stream;
    this.done = target.uploadPart(this.number, stream, length, this.#stop.signal);
    this.settled = this.done.catch(() => undefined);
    Promise.all([before, this.#whole]).then(
      () => stream.release(),
      () => this.#stop.abort(),
    );
  }

  /** Copies what fits of `chunk` from `from` on; returns how many bytes that was. */
  push(chunk: Buffer, from: number): number {
    const copied = chunk.copy(
      this.buffer,
      this.size,
      from,
      from + (this.length ?? this.buffer.length) - this.size,
    );
    this.size += copied;
    this.#stream?.flow();
    return copied;
  }

  /** Stops the part's upload if it started and is not whole: its request ended short. */
  abandon(): void {
    if (!this.started || this.size === this.length) return;
    this.abandoned = true;
    this.#stop.abort();
  }
}

/**
 * A part's bytes for S3 as they arrive, in as large pieces as are there when the socket asks; its last byte only
 * once `release` says the part before it is on S3.
 */
class PartStream extends Readable {
  readonly #part: OutgoingPart;
  #sent = 0;
  #wanted = false;
  #released = false;

  constructor(part: OutgoingPart) {
    super();
    this.#part = part;
  }

  override _read(): void {
    this.#wanted = true;
    this.flow();
  }

  release(): void {
    this.#released = true;
    this.flow();
  }

  flow(): void {
    const length = this.#part.length ?? 0;
    if (!this.#wanted || this.#sent === length) return;
    const ready = Math.min(this.#part.size, this.#released ? length : length - 1);
    if (ready <= this.#sent) return;
    const piece = this.#part.buffer.subarray(this.#sent, ready);
    this.#sent = ready;
    this.#wanted = this.push(piece);
    if (this.#sent === length) this.push(null);
    else if (this.#wanted) this.flow();
  }
}
