import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS } from '@tus/server';
import { isDiskFull } from './disk-space.ts';

/**
 * The tus FileStore, except that a write failing because the disk is full keeps its errno: FileStore answers
 * every failed write with the same 500, and the receiver wants to say 507 and what to do. What was written
 * before the failure stays, so the upload can resume once there is space.
 */
export class PartialStore extends FileStore {
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
