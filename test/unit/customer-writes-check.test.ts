// The checker the e2e's customer writer reports with: it must find a lost
// save and a copy that is not of one moment, or the e2e's "0 lost" says nothing.
import { describe, expect, it } from 'vitest';
import { customerWritesCheck, snapshotCut, type AcknowledgedWrite, type StoredWrites, type WriterLog } from '../e2e/support/customer-writer.js';

const write = (seq: number, at: number, withAttachment = false): AcknowledgedWrite => ({
  seq,
  name: `Zoë #${seq}`,
  partnerId: 100 + seq,
  db: 'acme_prod',
  at,
  ...(withAttachment ? { attachment: { name: `po-${seq}.txt`, checksum: `sha-${seq}`, content: `order ${seq}` } } : {}),
});

const log: WriterLog = {
  label: 'upgrade',
  startedAt: 1_000,
  stoppedAt: 60_000,
  acknowledged: [write(1, 2_000), write(2, 3_000, true), write(3, 40_000), write(4, 41_000, true)],
  refused: [{ seq: 5, at: 10_000, why: 'POST /web/dataset/call_kw/res.partner/create: HTTP 503' }],
};

function stored(seqs: number[], attachments: Record<number, string | undefined> = {}): StoredWrites {
  return {
    partners: new Set(seqs.map((s) => `Zoë #${s}`)),
    attachments: new Map(Object.entries(attachments).map(([seq, content]) => [`po-${seq}.txt`, { checksum: `sha-${seq}`, content }])),
  };
}

describe('customerWritesCheck', () => {
  it('finds nothing missing when every partner and attachment is there, and measures the longest stretch without an acknowledged save', () => {
    const check = customerWritesCheck(log, 'acme_prod', stored([1, 2, 3, 4], { 2: 'order 2', 4: 'order 4' }));
    expect(check).toEqual({ label: 'upgrade', database: 'acme_prod', acknowledged: 4, refused: 1, missing: [], longestGapSeconds: 37, refusedFrom: 9, refusedUntil: 9 });
  });

  it('names a save whose partner is gone, and one whose attachment file no longer reads back', () => {
    expect(customerWritesCheck(log, 'acme_prod', stored([1, 2, 4], { 2: undefined, 4: 'order 4' })).missing).toEqual([2, 3]);
  });
});

describe('snapshotCut', () => {
  it('a copy of one moment holds a first part of the saves; the newest may lack the attachment saved after it', () => {
    expect(snapshotCut(log, stored([1, 2], {}))).toMatchObject({ held: 2, inconsistent: [] });
    expect(snapshotCut(log, stored([1, 2], {})).newestHeld?.seq).toBe(2);
  });

  it('a partner held after one that is not, or an older attachment without its file, breaks the cut', () => {
    expect(snapshotCut(log, stored([1, 3], {})).inconsistent).toEqual([3]);
    expect(snapshotCut(log, stored([1, 2, 3], { 2: undefined })).inconsistent).toEqual([2]);
    expect(snapshotCut(log, stored([1, 2, 3], {})).inconsistent).toEqual([2]);
  });
});
