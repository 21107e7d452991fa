import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS, Upload } from '@tus/server';

const FINISHED_KEPT_MS = 60_000;
import { isDiskFull } from './disk-space.ts';

/**
 * The tus FileStore, except that a write failing because the disk is full keeps its errno: FileStore answers
 * every failed write with the same 500, and the receiver wants to say 507 and what to do. What was written
 * before the failure stays, so the upload can resume once there is space.
 */
export class PartialStore extends FileStore {
  /** Uploads placed and removed in the last minute, which tus may still look up after its finish hook. */
  readonly #finished = new Map<string, Upload>();

  /** Remembers an upload whose partial is removed because it was placed. */
  finished(upload: Upload): void {
    const size = upload.size ?? upload.offset;
    this.#finished.set(upload.id, new Upload({ id: upload.id, size, offset: size }));
    setTimeout(() => this.#finished.delete(upload.id), FINISHED_KEPT_MS).unref();
  }

  /**
   * A finished upload is still found for a minute after its partial is gone: tus reads it again after the finish
   * hook when uploads expire (to date the Upload-Expires header), and a client whose final response was lost asks
   * for its offset.
   */
  override async getUpload(id: string): Promise<Upload> {
    try {
      return await super.getUpload(id);
    } catch (error) {
      const finished = this.#finished.get(id);
      if (finished) return finished;
      throw error;
    }
  }

  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const file = path.join(this.directory, id);
    // The same guard as FileStore's own: an id is one file name inside the folder.
    if (path.dirname(file) !== path.resolve(this.directory)) throw ERRORS.FILE_NOT_FOUND;
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(readable, counter, createWriteStream(file, { flags: 'r+', start: offset }));
    } catch (error) {
      if (isDiskFull(error)) throw error;
      throw ERRORS.FILE_WRITE_ERROR;
    }
    return offset + received;
  }
}
