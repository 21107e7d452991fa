import path from 'node:path';
import { PAYLOAD_DIR } from '#core/protocol';
import { writeBag } from './bagit.ts';
import type { BagStorage } from './batch-complete.ts';
import { FileJournal, LocalClaims } from './handoff-journal.ts';
import { Payload } from './payload.ts';
import type { PlacedFiles } from './placed-files.ts';

/**
 * Bags in the upload folder (`<uploadDir>/<batch>/`), their completion records beside them in `.handoff/`, and
 * one process taking every completion: they take turns in memory.
 */
export function diskBags(uploadDir: string, placed: PlacedFiles, log: (text: string) => void): BagStorage {
  const bagDir = (batch: string) => path.join(uploadDir, batch);
  const turns = new LocalClaims();
  return {
    bagDir,
    payloadDir: (batch) => path.join(bagDir(batch), PAYLOAD_DIR),
    payload: async (batch) => Payload.read(bagDir(batch), await placed.read(batch)),
    writeBag: (batch, files, info, originals) => writeBag(bagDir(batch), files, info, originals),
    journal: new FileJournal(uploadDir, log),
    claims: new LocalClaims(),
    exclusive: (batch, work) => turns.claim(batch, work),
  };
}
