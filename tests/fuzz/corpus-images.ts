/**
 * Fuzz corpus, images: PNGs and JPEGs truncated anywhere, headers that claim more pixels than
 * the data holds or more than the pixel limit, invalid bit depths, colour types and chunk
 * lengths, other formats, and paths that are not regular files. Each is passed to one of
 * classify, explain, attack and detect in turn (the same reader serves them all), with --out in
 * the sandbox, so that "nothing written" is checked on the commands that write.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { mulberry32 } from '@maskgrad/models/node';
import type { Case } from './case.js';
import type { Sandbox } from './sandbox.js';

/** The PNG with chunk `type`'s data edited, its CRC fixed (so that only the edit is wrong). */
function editChunk(png: Buffer, type: string, edit: (data: Buffer) => void): Buffer {
  const out = Buffer.from(png);
  for (let at = 8; at + 12 <= out.length;) {
    const length = out.readUInt32BE(at);
    if (out.toString('latin1', at + 4, at + 8) === type) {
      edit(out.subarray(at + 8, at + 8 + length));
      out.writeUInt32BE(crc32(out.subarray(at + 4, at + 8 + length)), at + 8 + length);
      return out;
    }
    at += 12 + length;
  }
  throw new Error(`no ${type} chunk`);
}

export function imageCases(s: Sandbox): Case[] {
  const random = mulberry32(1302);
  const cases: Case[] = [];
  let n = 0;
  const commands = ['classify', 'explain', 'attack', 'detect'] as const;
  /** A case for the image at `path` (written by `write`), with the next command in turn. */
  const add = (name: string, file: string, write: (path: string) => void) => {
    const dir = join(s.inputs, `img-${n}`);
    mkdirSync(dir);
    const path = join(dir, file);
    write(path);
    const command = commands[n++ % commands.length]!;
    const out = join(s.outputs, `img-${n}`);
    const argv = command === 'detect' ? ['detect', path] // the built-in model and its detector
      : command === 'classify' ? ['classify', path, '--model', s.hf]
        : [command, path, '--model', s.hf, '--out', out, ...(command === 'explain' ? ['--iterations', '1'] : ['--steps', '1'])];
    cases.push({ class: 'image', name: `${command}: ${name}`, argv, exit: 2, culprit: path });
  };
  const png = readFileSync(s.png);
  const jpg = readFileSync(s.jpeg);

  for (let k = 0; k < 24; k++) {
    const cut = k < 4 ? [0, 8, 20, png.length - 1][k]! : 1 + Math.floor(random() * (png.length - 2));
    add(`PNG truncated to ${cut} of ${png.length} bytes`, 'cut.png', (p) => writeFileSync(p, png.subarray(0, cut)));
  }
  const sizes: [number, number][] = [[0, 16], [16, 0], [10_000, 10_000], [5000, 5000], [16, 17], [17, 16], [2 ** 31 - 1, 1], [1, 2 ** 32 - 1], [20_000, 20_000]];
  for (const [w, h] of sizes) {
    add(`PNG header says ${w} × ${h} over the data of 16 × 16`, 'forged.png', (p) => writeFileSync(p, editChunk(png, 'IHDR', (d) => {
      d.writeUInt32BE(w, 0);
      d.writeUInt32BE(h, 4);
    })));
  }
  for (const [depth, color] of [[3, 2], [7, 2], [32, 2], [8, 1], [8, 5], [8, 7], [16, 3]]) {
    add(`PNG bit depth ${depth}, colour type ${color}`, 'depth.png', (p) => writeFileSync(p, editChunk(png, 'IHDR', (d) => d.set([depth!, color!], 8))));
  }
  add('PNG interlace method 2', 'interlace.png', (p) => writeFileSync(p, editChunk(png, 'IHDR', (d) => (d[12] = 2))));
  add('PNG compression method 1', 'compression.png', (p) => writeFileSync(p, editChunk(png, 'IHDR', (d) => (d[10] = 1))));
  add('PNG IDAT length 0x7fffffff', 'length.png', (p) => {
    const b = Buffer.from(png);
    b.writeUInt32BE(0x7fffffff, 33);
    writeFileSync(p, b);
  });
  add('PNG with a wrong IHDR checksum', 'crc.png', (p) => {
    const b = Buffer.from(png);
    b[29] ^= 0xff;
    writeFileSync(p, b);
  });
  add('PNG with a wrong zlib checksum', 'adler.png', (p) => writeFileSync(p, editChunk(png, 'IDAT', (d) => (d[d.length - 1] ^= 0xff))));
  add('PNG without IEND', 'noend.png', (p) => writeFileSync(p, png.subarray(0, png.length - 12)));
  add('PNG with a chunk type of digits', 'type.png', (p) => {
    const b = Buffer.from(png);
    b.write('1234', 37, 'latin1');
    writeFileSync(p, b);
  });

  for (let k = 0; k < 14; k++) {
    const cut = k < 3 ? [0, 2, jpg.length - 2][k]! : 3 + Math.floor(random() * (jpg.length - 6));
    add(`JPEG truncated to ${cut} of ${jpg.length} bytes`, 'cut.jpg', (p) => writeFileSync(p, jpg.subarray(0, cut)));
  }
  const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
  for (const [w, h] of [[65_000, 65_000], [0, 16], [16, 0], [64, 64], [16, 300]]) {
    add(`JPEG frame header says ${w} × ${h}`, 'sof.jpg', (p) => {
      const b = Buffer.from(jpg);
      b.writeUInt16BE(h!, sof + 5);
      b.writeUInt16BE(w!, sof + 7);
      writeFileSync(p, b);
    });
  }
  add('JPEG without a frame header', 'nosof.jpg', (p) => writeFileSync(p, Buffer.concat([jpg.subarray(0, sof), Buffer.from([0xff, 0xd9])])));

  const others: [string, Buffer][] = [
    ['GIF', Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00;', 'latin1')],
    ['BMP', Buffer.from('BM\x36\x03\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00', 'latin1')],
    ['WebP', Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1')],
    ['TIFF', Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0])],
    ['HEIC', Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00', 'latin1')],
    ['an empty file', Buffer.alloc(0)],
    ['a text file', Buffer.from('not an image\n')],
  ];
  for (let k = 0; k < 5; k++) others.push([`${64 << k} random bytes`, Buffer.from(Array.from({ length: 64 << k }, () => Math.floor(random() * 256)))]);
  for (const [what, bytes] of others) add(what, 'other.png', (p) => writeFileSync(p, bytes));

  add('a folder', 'folder.png', (p) => mkdirSync(p));
  add('a named pipe', 'pipe.png', (p) => execFileSync('mkfifo', [p]));
  add('a link to /dev/zero', 'zero.png', (p) => symlinkSync('/dev/zero', p));
  add('a dangling link', 'dangling.png', (p) => symlinkSync(join(s.inputs, 'nowhere.png'), p));
  add('a sparse 1 GiB file', 'sparse.png', (p) => {
    writeFileSync(p, '');
    execFileSync('truncate', ['-s', '1G', p]);
  });
  add('a missing file', 'missing.png', () => {});
  cases.push({ class: 'image', name: 'classify: /dev/zero', argv: ['classify', '/dev/zero', '--model', s.hf], exit: 2, culprit: '/dev/zero' });
  return cases;
}
