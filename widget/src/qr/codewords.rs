//! The data as codewords: the bit stream with its padding, split into blocks, each with its
//! Reed-Solomon error correction, interleaved.

/// Error correction codewords per block at level M, by version (index 0 unused).
/// Source: ISO/IEC 18004:2015, Table 9.
const ECC_PER_BLOCK: [u8; 41] = [
    0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];

/// Error correction blocks at level M, by version (index 0 unused).
/// Source: ISO/IEC 18004:2015, Table 9.
const BLOCKS: [u8; 41] = [
    0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
    33, 35, 37, 38, 40, 43, 45, 47, 49,
];

/// Mode indicator and character count.
pub(super) fn header_bits(version: usize) -> usize {
    4 + if version < 10 { 8 } else { 16 }
}

/// Modules left for data and error correction once the function patterns are drawn.
fn raw_modules(version: usize) -> usize {
    let v = version;
    let mut n = (16 * v + 128) * v + 64;
    if v >= 2 {
        let align = v / 7 + 2;
        n -= (25 * align - 10) * align - 55;
        if v >= 7 {
            n -= 36; // the two version blocks
        }
    }
    n
}

pub(super) fn data_codewords(version: usize) -> usize {
    raw_modules(version) / 8 - usize::from(ECC_PER_BLOCK[version]) * usize::from(BLOCKS[version])
}

/// Whether `len` bytes fit `version`.
pub(super) fn fits(version: usize, len: usize) -> bool {
    header_bits(version) + 8 * len <= 8 * data_codewords(version)
}

/// The data bits with padding, split into blocks, each followed by its Reed-Solomon code, then
/// interleaved.
pub(super) fn codewords(version: usize, data: &[u8]) -> Vec<u8> {
    let capacity = data_codewords(version);
    let mut bits = Bits::default();
    bits.push(0b0100, 4);
    bits.push(data.len() as u32, header_bits(version) - 4);
    for &b in data {
        bits.push(u32::from(b), 8);
    }
    let room = capacity * 8 - bits.len;
    bits.push(0, room.min(4));
    bits.push(0, (8 - bits.len % 8) % 8);
    let mut bytes = bits.bytes;
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if bytes.len() >= capacity {
            break;
        }
        bytes.push(pad);
    }

    let blocks = usize::from(BLOCKS[version]);
    let ecc_len = usize::from(ECC_PER_BLOCK[version]);
    let generator = rs_generator(ecc_len);
    // The first blocks are one codeword shorter when the data does not split evenly.
    let short = capacity / blocks;
    let long_count = capacity % blocks;
    let mut data_blocks = Vec::with_capacity(blocks);
    let mut start = 0;
    for i in 0..blocks {
        let len = short + usize::from(i >= blocks - long_count);
        data_blocks.push(&bytes[start..start + len]);
        start += len;
    }
    let ecc_blocks: Vec<Vec<u8>> = data_blocks.iter().map(|b| rs_remainder(b, &generator)).collect();
    let mut out = Vec::with_capacity(raw_modules(version) / 8);
    for i in 0..=short {
        out.extend(data_blocks.iter().filter_map(|b| b.get(i)));
    }
    for i in 0..ecc_len {
        out.extend(ecc_blocks.iter().map(|b| b[i]));
    }
    out
}

#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, value: u32, count: usize) {
        for i in (0..count).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if value >> i & 1 == 1 {
                *self.bytes.last_mut().expect("pushed above") |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }
}

/// Multiplication in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1 (0x11D), the QR code field.
fn gf_mul(a: u8, b: u8) -> u8 {
    let mut product: u16 = 0;
    for i in (0..8).rev() {
        product = (product << 1) ^ ((product >> 7) * 0x11D);
        product ^= u16::from(b >> i & 1) * u16::from(a);
    }
    product as u8
}

/// The coefficients of (x − α⁰)(x − α¹)…(x − α^(degree−1)), highest first, leading 1 dropped.
fn rs_generator(degree: usize) -> Vec<u8> {
    let mut g = vec![0u8; degree];
    g[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            g[j] = gf_mul(g[j], root) ^ g.get(j + 1).copied().unwrap_or(0);
        }
        root = gf_mul(root, 0x02);
    }
    g
}

fn rs_remainder(data: &[u8], generator: &[u8]) -> Vec<u8> {
    let mut rem = vec![0u8; generator.len()];
    for &b in data {
        let factor = b ^ rem[0];
        rem.remove(0);
        rem.push(0);
        for (r, &g) in rem.iter_mut().zip(generator) {
            *r ^= gf_mul(g, factor);
        }
    }
    rem
}
