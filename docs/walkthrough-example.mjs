// The worked example of docs/autograd-walkthrough.md: a 2-pixel image, a
// 2-cell mask, and a "model" that is one weight vector and a sigmoid.
// Run: npm run build && node docs/walkthrough-example.mjs [--dot]
import { tensor, toDot } from '@maskgrad/autograd';

const x = tensor([1.0, 0.0], { name: 'x' });        // the image
const P = tensor([0.5, 0.5], { name: 'P' });        // its perturbation (say, a blur)
const w = tensor([2.0, -1.0], { name: 'w' });       // the frozen model
const m = tensor([1.0, 0.5], { requiresGrad: true });
m.name = 'mask';

const phi = P.add(x.sub(P).mul(m));                 // Φ = P + (x − P)·m
const p = phi.mul(w).sum().sigmoid();               // f_c(Φ) = σ(w·Φ)
const l1 = m.neg().add(1).abs().mean();             // mean |1 − m|
const loss = l1.mul(0.1).add(p);

if (process.argv.includes('--dot')) {
  console.log(toDot(loss, 'objective'));
} else {
  loss.backward(); // queues the kernels: nothing to await
  console.log('phi   =', Array.from(await phi.data()));
  console.log('p     =', await p.item());
  console.log('loss  =', await loss.item());
  console.log('dL/dm =', Array.from(await m.grad.data()));
}
