#!/usr/bin/python3
"""Reference data for the checkpoint's own preprocessing (tests/preprocess-reference.test.ts).

Makes two synthetic "photos" and preprocesses them as transformers and timm do, with Pillow:
  photo.jpg  1280x853 landscape, JPEG quality 85, no EXIF orientation
  phone.jpg  a portrait scene (853x1280) stored landscape (1280x853) with EXIF orientation 6,
             as a phone writes it; ImageOps.exif_transpose turns it upright
  ramp.png   240x160 PNG (lossless: the resize alone, with no JPEG decoder in between)
For each (image, processor) it writes the model's 8-bit input after Pillow's resize and the
centre crop, before the rescale and normalization (exact arithmetic, done by the test): the
input transformers' ViTImageProcessor / DeiTImageProcessor and timm's eval transform compute
  transformers: load_image (exif_transpose) -> resize((w, h), resample) -> center_crop
                ((H - h) // 2) -> rescale 1/255 -> normalize
  timm:         Resize(floor(224 / crop_pct)) on the short side, int(edge * long / short),
                -> CenterCrop(224) (round((H - h) / 2), Python's round) -> ToTensor -> Normalize
Run with /usr/bin/python3 (Pillow 9.4, numpy); the JPEGs are decoded by Pillow's libjpeg here and
by jpeg-js in the test. Writes tests/fixtures/preprocess/.
"""
import json
import math
import os

import numpy as np
from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'preprocess')
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]

# The processors under test: how each checkpoint's files describe its preprocessing.
PROCESSORS = {
    # google/vit-base-patch16-224's preprocessor_config.json
    'hf-vit': {'kind': 'preprocessor_config.json', 'config': {
        'do_normalize': True, 'do_rescale': True, 'do_resize': True, 'image_mean': [0.5, 0.5, 0.5],
        'image_processor_type': 'ViTImageProcessor', 'image_std': [0.5, 0.5, 0.5], 'resample': 2,
        'rescale_factor': 0.00392156862745098, 'size': {'height': 224, 'width': 224}}},
    # facebook/deit-base-patch16-224's: squash to 256, bicubic, centre crop 224
    'hf-deit': {'kind': 'preprocessor_config.json', 'config': {
        'do_center_crop': True, 'crop_size': {'height': 224, 'width': 224}, 'do_normalize': True, 'do_resize': True,
        'image_mean': IMAGENET_MEAN, 'image_std': IMAGENET_STD, 'resample': 3, 'size': {'height': 256, 'width': 256},
        'image_processor_type': 'DeiTImageProcessor'}},
    # timm/vit_base_patch16_224.augreg2_in21k_ft_in1k's pretrained_cfg
    'timm-vit': {'kind': 'pretrained_cfg', 'config': {
        'input_size': [3, 224, 224], 'interpolation': 'bicubic', 'crop_pct': 0.9, 'crop_mode': 'center',
        'mean': [0.5, 0.5, 0.5], 'std': [0.5, 0.5, 0.5], 'num_classes': 1000}},
    # timm/deit_small_patch16_224.fb_in1k's: crop_pct 0.875, ImageNet statistics
    'timm-deit': {'kind': 'pretrained_cfg', 'config': {
        'input_size': [3, 224, 224], 'interpolation': 'bicubic', 'crop_pct': 0.875, 'crop_mode': 'center',
        'mean': IMAGENET_MEAN, 'std': IMAGENET_STD, 'num_classes': 1000}},
}
CASES = [('photo.jpg', 'hf-vit'), ('photo.jpg', 'hf-deit'), ('photo.jpg', 'timm-vit'), ('phone.jpg', 'hf-vit'),
         ('phone.jpg', 'timm-deit'), ('ramp.png', 'hf-vit'), ('ramp.png', 'timm-vit')]


def scene(width, height, seed, grain=1.5):
    """A structured picture: sky gradient, a disc, fine stripes and a checkerboard (which alias
    when sampled without a filter), blocks of colour, and a little sensor noise (grain, σ in 8-bit units)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.zeros((height, width, 3))
    img[..., 0] = 90 + 120 * y / height
    img[..., 1] = 140 + 60 * x / width
    img[..., 2] = 230 - 100 * y / height
    disc = (x - 0.7 * width) ** 2 + (y - 0.3 * height) ** 2 < (0.12 * min(width, height)) ** 2
    img[disc] = [250, 220, 60]
    fence = (y > 0.55 * height) & (y < 0.8 * height) & (x < 0.6 * width)
    stripes = (np.floor(x / 3) % 2 == 0)
    img[fence & stripes] = [60, 40, 30]
    img[fence & ~stripes] = [200, 190, 170]
    board = (y > 0.82 * height) & (x > 0.5 * width)
    checks = (np.floor(x / 2) + np.floor(y / 2)) % 2 == 0
    img[board & checks] = 20
    img[board & ~checks] = 235
    for _ in range(12):
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        w, h = rng.integers(width // 30, width // 8), rng.integers(height // 30, height // 8)
        img[cy:cy + h, cx:cx + w] = rng.integers(0, 256, 3)
    img += rng.normal(0, grain, img.shape)
    return Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8), 'RGB')


def centre_crop_box(width, height, crop, offset):
    free_x, free_y = width - crop, height - crop
    if offset == 'floor':
        left, top = free_x // 2, free_y // 2
    else:
        left, top = int(round(free_x / 2.0)), int(round(free_y / 2.0))
    return (left, top, left + crop, top + crop)


def preprocess(image, processor):
    """The model's 8-bit input for `image` (already exif_transposed) under `processor`."""
    c = processor['config']
    if processor['kind'] == 'preprocessor_config.json':
        size = c['size']
        image = image.resize((size['width'], size['height']), resample=c['resample'])
        if c.get('do_center_crop'):
            image = image.crop(centre_crop_box(image.width, image.height, c['crop_size']['height'], 'floor'))
        return image
    side = c['input_size'][1]
    edge = math.floor(side / c['crop_pct'])
    resample = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}[c['interpolation']]
    w, h = image.size
    size = (edge, int(edge * h / w)) if w <= h else (int(edge * w / h), edge)
    image = image.resize(size, resample=resample)
    return image.crop(centre_crop_box(image.width, image.height, side, 'half-even'))


def main():
    os.makedirs(OUT, exist_ok=True)
    scene(1280, 853, 1).save(os.path.join(OUT, 'photo.jpg'), quality=85)
    portrait = scene(853, 1280, 2)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    portrait.transpose(Image.Transpose.ROTATE_90).save(os.path.join(OUT, 'phone.jpg'), quality=85, exif=exif.tobytes())
    scene(240, 160, 3, grain=0).save(os.path.join(OUT, 'ramp.png'))
    manifest = {'processors': PROCESSORS, 'cases': []}
    for name, proc in CASES:
        image = ImageOps.exif_transpose(Image.open(os.path.join(OUT, name))).convert('RGB')
        out = f'{os.path.splitext(name)[0]}.{proc}.png'
        preprocess(image, PROCESSORS[proc]).save(os.path.join(OUT, out))
        manifest['cases'].append({'image': name, 'processor': proc, 'upright': list(image.size), 'input': out})
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
