import { describe, expect, it } from 'vitest';
import { fixtureInput } from '../../test/fixtures.js';
import { runToEnd } from './cooperative.js';
import { rowFromHistory } from './models/interaction-matrix.js';
import { decodeSnapshot, encodeSnapshot, IncompatibleSnapshotError, snapshotHash } from './snapshot-codec.js';
import { trainSnapshotSteps } from './training.js';

const input = fixtureInput();
const snapshot = runToEnd(trainSnapshotSteps(input));
const bytes = encodeSnapshot(snapshot, input.titles);
const expected = { version: snapshot.version, sha256: snapshotHash(bytes) };

describe('model snapshot encoding', () => {
  it('decodes to a snapshot that scores like the original', () => {
    const decoded = decodeSnapshot(bytes, expected);
    expect(decoded.version).toBe(snapshot.version);
    const history = rowFromHistory(snapshot.catalog.index, [{ item: 'horror-02', weight: 1 }]);
    expect(decoded.personal!.score(history)).toEqual(snapshot.personal!.score(history));
    expect(decoded.itemKnn.neighboursOf(3)).toEqual(snapshot.itemKnn.neighboursOf(3));
    expect(decoded.trending).toEqual(snapshot.trending);
    expect(decoded.popularity).toEqual(snapshot.popularity);
  });

  it('refuses changed bytes, another format and another version', () => {
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => decodeSnapshot(flipped, expected)).toThrow(/content hash mismatch/);
    const future = Buffer.from(bytes);
    future.writeUInt32LE(99, 4);
    expect(() => decodeSnapshot(future, { ...expected, sha256: snapshotHash(future) })).toThrow(/format 99/);
    expect(() => decodeSnapshot(bytes, { ...expected, version: 'ease-other' })).toThrow(
      IncompatibleSnapshotError,
    );
    const truncated = bytes.subarray(0, bytes.length - 8);
    expect(() => decodeSnapshot(truncated, { ...expected, sha256: snapshotHash(truncated) })).toThrow(
      /truncated/,
    );
  });
});
