/**
 * Submission and memory discipline for the WebGPU device every gpu.js
 * kernel shares, done by wrapping the device and its queue (gpu.js itself
 * is unchanged; every kernel stays a gpu.js kernel).
 *
 * gpu.js records, for each kernel call, its own command encoder, one
 * compute pass and a `queue.submit`, writes its parameters with
 * `queue.writeBuffer`, makes a new bind group, and (immutable pipeline
 * results) a new output buffer. Published costs: 24–36 µs of API
 * overhead per dispatch on Vulkan; tfjs-webgpu keeps one encoder across
 * dispatches and submits every 15. Here:
 * - batching: every encoder gpu.js asks for records into one shared
 *   encoder; `submit` of it only counts, and the shared encoder is
 *   submitted every `batch` kernels, before a read (mapAsync), and before
 *   anything waits for the queue (onSubmittedWorkDone).
 * - ordering: `writeBuffer` lands before any later submit, so a write to
 *   a buffer that recorded-but-unsubmitted commands use would change what
 *   they see: such a write submits the batch first. A uniform buffer
 *   written with the bytes it already holds is not written again (gpu.js
 *   rewrites each kernel's unchanged parameters on every call).
 * - buffers: a destroyed buffer goes to a pool (by size and usage) and the
 *   next request of that size reuses it; a queued dispatch that writes a
 *   reused buffer runs after the dispatches recorded before it, which
 *   read its old contents (WebGPU orders passes on one queue).
 * - bind groups: the same layout over the same buffers gives the same
 *   bind group (reused pool buffers make that the steady state).
 * Every real API call is counted (`counters`): the bench prints them per
 * explainer iteration.
 */

/** GPUBufferUsage / GPUMapMode values, fixed by the WebGPU spec. */
export const USAGE = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, UNIFORM: 0x0040, STORAGE: 0x0080 };

export interface GpuBuffer {
  size: number; usage: number; destroy(): void; unmap(): void;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>; getMappedRange(o?: number, s?: number): ArrayBuffer;
}
type Pass = { setPipeline(p: unknown): void; setBindGroup(i: number, g: object, ...r: unknown[]): void; dispatchWorkgroups(x: number, y?: number, z?: number): void; end(): void };
type Encoder = { beginComputePass(d?: unknown): Pass; copyBufferToBuffer(a: GpuBuffer, ao: number, b: GpuBuffer, bo: number, n: number): void; finish(): unknown };
type BindGroupDescriptor = { layout: object; entries: { binding: number; resource: { buffer?: GpuBuffer; offset?: number; size?: number } }[] };
export interface GpuDevice {
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createCommandEncoder(d?: unknown): Encoder;
  createBindGroup(d: BindGroupDescriptor): object;
  queue: {
    submit(cmds: unknown[]): void; onSubmittedWorkDone(): Promise<void>;
    writeBuffer(b: GpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
  };
  onuncapturederror: ((e: { error: { message: string } }) => void) | null;
}

/** The two fields of gpu.js's WebGPUKernel this wrapper touches. */
export interface GpuJsKernel { paramsBuffer?: GpuBuffer; bindGroupDirty?: boolean }

/** Real WebGPU calls made, cumulative (the bench takes differences). */
export interface DeviceCounters {
  submits: number;
  buffers_created: number;
  bind_groups_created: number;
  bytes_written: number;
  bytes_read: number;
  map_async: number;
}

/** Kernels recorded into one encoder before it is submitted (tfjs-webgpu submits every 15). */
export const SUBMIT_BATCH = 32;
/** Bytes of freed buffers kept for reuse; beyond it they are destroyed. */
const POOL_BYTES = 512 * 2 ** 20;
/** Bind groups kept per layout (the steady state needs one per distinct set of buffers a kernel sees). */
const GROUPS_PER_LAYOUT = 64;
/** Stands for a command buffer that went into the shared encoder. */
const BATCHED = Object.freeze({ batched: true });

export class DeviceDiscipline {
  readonly counters: DeviceCounters = { submits: 0, buffers_created: 0, bind_groups_created: 0, bytes_written: 0, bytes_read: 0, map_async: 0 };
  /** Buffers on the device (the pool's included) and their bytes. */
  readonly live = { buffers: 0, bytes: 0 };
  private readonly pool = new Map<string, GpuBuffer[]>();
  private readonly pooled = new Set<GpuBuffer>();
  private pooledBytes = 0;
  private encoder: Encoder | null = null;
  private recorded = 0;
  /** Buffers the recorded-but-unsubmitted commands use. */
  private readonly pending = new Set<GpuBuffer>();
  /** What each uniform buffer holds (it is written only by writeBuffer). */
  private readonly uniformBytes = new WeakMap<GpuBuffer, Uint8Array>();
  private readonly groups = new WeakMap<object, Map<string, object>>();
  private readonly groupBuffers = new WeakMap<object, GpuBuffer[]>();
  private readonly ids = new WeakMap<GpuBuffer, number>();
  private nextId = 0;
  private readonly submit: (cmds: unknown[]) => void;
  private readonly createBuffer: GpuDevice['createBuffer'];
  private readonly realEncoder: () => Encoder;

  private constructor(device: GpuDevice, readonly batch: number, readonly reuse: boolean) {
    const queue = device.queue;
    this.submit = queue.submit.bind(queue);
    this.realEncoder = device.createCommandEncoder.bind(device);
    const create = device.createBuffer.bind(device);
    const write = queue.writeBuffer.bind(queue);
    const workDone = queue.onSubmittedWorkDone.bind(queue);
    const bindGroup = device.createBindGroup.bind(device);

    this.createBuffer = (d) => (d.mappedAtCreation ? undefined : this.fromPool(d)) ?? this.track(create(d), d.size);
    device.createBuffer = this.createBuffer;
    device.createCommandEncoder = () => this.facade();
    device.createBindGroup = (d) => this.bindGroup(d, bindGroup);
    queue.submit = (cmds) => {
      const own = cmds.filter((c) => c !== BATCHED);
      if (own.length) {
        this.flush();
        this.submit(own);
        this.counters.submits++;
      }
      this.recorded += cmds.length - own.length;
      if (this.recorded >= this.batch) this.flush();
    };
    queue.writeBuffer = (buffer, offset, data, dataOffset, size) => {
      let b = buffer;
      const whole = offset === 0 && dataOffset === undefined && size === undefined && ArrayBuffer.isView(data);
      const bytes = whole ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      const uniform = (b.usage & USAGE.UNIFORM) !== 0;
      const held = uniform ? this.uniformBytes.get(b) : undefined;
      if (this.reuse && bytes && held && equalBytes(held, bytes)) return;
      // after the check, before the bookkeeping: the old buffer keeps the bytes it holds
      if (this.pending.has(b) && this.running?.paramsBuffer === b) b = this.rotateParams(this.running, b);
      if (this.pending.has(b)) this.flush();
      if (uniform && bytes) this.uniformBytes.set(b, bytes.slice());
      else if (uniform) this.uniformBytes.delete(b);
      // size and dataOffset count elements of a typed array (bytes of an ArrayBuffer)
      const unit = (data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
      this.counters.bytes_written += size !== undefined ? size * unit : data.byteLength - (dataOffset ?? 0) * unit;
      write(b, offset, data, dataOffset, size);
    };
    queue.onSubmittedWorkDone = () => {
      this.flush();
      return workDone();
    };
  }

  private static readonly byDevice = new WeakMap<GpuDevice, DeviceDiscipline>();

  /**
   * The discipline of `device`, wrapping it the first time (one device is
   * shared by every backend and kernel). `on` false: count only, and do
   * what gpu.js does (a submit per kernel, nothing reused), for comparison.
   */
  static of(device: GpuDevice, on = true): DeviceDiscipline {
    let d = DeviceDiscipline.byDevice.get(device);
    if (!d) DeviceDiscipline.byDevice.set(device, (d = on ? new DeviceDiscipline(device, SUBMIT_BATCH, true) : new DeviceDiscipline(device, 1, false)));
    return d;
  }

  /**
   * The gpu.js kernel being called (set around each call by the backend):
   * its parameters buffer can be swapped for a fresh one when new values
   * must not reach the calls already recorded.
   */
  running: GpuJsKernel | null = null;

  /**
   * New parameters for a kernel whose earlier call is recorded but not
   * submitted: instead of submitting the batch, give the kernel a fresh
   * uniform buffer (from the pool) and let the old one go back to the pool
   * once unused. gpu.js reads `paramsBuffer` when it builds the bind group
   * right after this write, and `bindGroupDirty` makes it build one
   * (gpu.js src/backend/web-gpu/kernel.js, _runInternal).
   */
  private rotateParams(kernel: GpuJsKernel, old: GpuBuffer): GpuBuffer {
    const fresh = this.createBuffer({ size: old.size, usage: old.usage });
    kernel.paramsBuffer = fresh;
    kernel.bindGroupDirty = true;
    old.destroy();
    return fresh;
  }

  /** Submit what the shared encoder holds. */
  flush(): void {
    if (!this.encoder) return;
    const encoder = this.encoder;
    this.encoder = null;
    this.recorded = 0;
    this.pending.clear();
    this.submit([encoder.finish()]);
    this.counters.submits++;
  }

  private shared(): Encoder {
    return (this.encoder ??= this.realEncoder());
  }

  /** What gpu.js gets from createCommandEncoder: records into the shared encoder. */
  private facade(): Encoder {
    return {
      beginComputePass: (d) => {
        const pass = this.shared().beginComputePass(d);
        return {
          setPipeline: (p) => pass.setPipeline(p),
          setBindGroup: (i, g, ...r) => {
            for (const b of this.groupBuffers.get(g) ?? []) this.pending.add(b);
            pass.setBindGroup(i, g, ...r);
          },
          dispatchWorkgroups: (x, y, z) => pass.dispatchWorkgroups(x, y, z),
          end: () => pass.end(),
        };
      },
      copyBufferToBuffer: (a, ao, b, bo, n) => {
        this.pending.add(a);
        this.pending.add(b);
        this.shared().copyBufferToBuffer(a, ao, b, bo, n);
      },
      finish: () => BATCHED,
    };
  }

  private track(buffer: GpuBuffer, size: number): GpuBuffer {
    this.counters.buffers_created++;
    this.live.buffers++;
    this.live.bytes += size;
    this.ids.set(buffer, this.nextId++);
    const destroy = buffer.destroy.bind(buffer);
    const mapAsync = buffer.mapAsync.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (destroyed || this.pooled.has(buffer)) return;
      if (this.reuse && this.pooledBytes + size <= POOL_BYTES) {
        this.pooled.add(buffer);
        this.pooledBytes += size;
        const key = `${size}|${buffer.usage}`;
        const free = this.pool.get(key);
        if (free) free.push(buffer);
        else this.pool.set(key, [buffer]);
        return;
      }
      if (this.pending.has(buffer)) this.flush(); // a destroyed buffer may not be in a submit
      destroyed = true;
      this.live.buffers--;
      this.live.bytes -= size;
      destroy();
    };
    buffer.mapAsync = (mode, offset, length) => {
      if (this.pending.has(buffer)) this.flush();
      this.counters.map_async++;
      this.counters.bytes_read += length ?? size - (offset ?? 0);
      return mapAsync(mode, offset, length);
    };
    return buffer;
  }

  /**
   * A freed buffer of this size and usage. One that queue.writeBuffer may
   * fill (COPY_DST: uniforms, uploads) must not be in use by recorded
   * commands, or the write would submit the batch; a kernel's output may
   * (its dispatch runs after the recorded ones).
   */
  private fromPool(d: { size: number; usage: number }): GpuBuffer | undefined {
    const free = this.pool.get(`${d.size}|${d.usage}`);
    if (!free?.length) return undefined;
    let i = free.length - 1;
    if (d.usage & USAGE.COPY_DST) while (i >= 0 && this.pending.has(free[i])) i--;
    if (i < 0) return undefined;
    const [buffer] = free.splice(i, 1);
    this.pooled.delete(buffer);
    this.pooledBytes -= d.size;
    return buffer;
  }

  /** The same layout over the same whole buffers: the bind group made before. */
  private bindGroup(d: BindGroupDescriptor, create: (d: BindGroupDescriptor) => object): object {
    const buffers = d.entries.map((e) => e.resource.buffer);
    const whole = d.entries.every((e) => e.resource.buffer && e.resource.offset === undefined && e.resource.size === undefined);
    const key = whole ? d.entries.map((e) => `${e.binding}:${this.ids.get(e.resource.buffer!) ?? '?'}`).join(',') : null;
    let byKey = this.groups.get(d.layout);
    const hit = this.reuse && key && !key.includes('?') ? byKey?.get(key) : undefined;
    if (hit) return hit;
    const group = create(d);
    this.counters.bind_groups_created++;
    this.groupBuffers.set(group, buffers.filter((b): b is GpuBuffer => !!b));
    if (key && !key.includes('?')) {
      if (!byKey) this.groups.set(d.layout, (byKey = new Map()));
      if (byKey.size >= GROUPS_PER_LAYOUT) byKey.delete(byKey.keys().next().value!);
      byKey.set(key, group);
    }
    return group;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
