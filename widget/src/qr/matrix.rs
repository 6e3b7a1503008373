//! The symbol's modules: function patterns, the codewords' placement and the masks.

/// Level M's two format bits (L = 01, M = 00, Q = 11, H = 10).
const LEVEL_M: u32 = 0b00;

/// A square of modules, dark or light, and which of them belong to function patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub size: usize,
    pub(super) dark: Vec<bool>,
    function: Vec<bool>,
}

impl Matrix {
    /// All light, with no function patterns yet.
    pub(super) fn light(size: usize) -> Matrix {
        Matrix { size, dark: vec![false; size * size], function: vec![false; size * size] }
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.size + x]
    }

    fn set(&mut self, x: usize, y: usize, dark: bool) {
        self.dark[y * self.size + x] = dark;
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        self.set(x, y, dark);
        self.function[y * self.size + x] = true;
    }
}

/// Function patterns drawn and the codewords placed, before masking.
pub(super) fn layout(version: usize, codewords: &[u8]) -> Matrix {
    let mut m = Matrix::light(version * 4 + 17);
    draw_function_patterns(&mut m, version);
    place(&mut m, codewords);
    m
}

pub(super) fn masked(base: &Matrix, mask: u8) -> Matrix {
    let mut m = base.clone();
    for y in 0..m.size {
        for x in 0..m.size {
            if !m.function[y * m.size + x] && mask_bit(mask, x, y) {
                let i = y * m.size + x;
                m.dark[i] = !m.dark[i];
            }
        }
    }
    draw_format(&mut m, mask);
    m
}

/// The eight mask conditions (ISO/IEC 18004, Table 10), with `x` the column and `y` the row.
fn mask_bit(mask: u8, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (x + y) % 3 == 0,
        4 => (x / 3 + y / 2) % 2 == 0,
        5 => x * y % 2 + x * y % 3 == 0,
        6 => (x * y % 2 + x * y % 3) % 2 == 0,
        _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
    }
}

fn draw_function_patterns(m: &mut Matrix, version: usize) {
    let size = m.size;
    for i in 0..size {
        m.set_function(6, i, i % 2 == 0);
        m.set_function(i, 6, i % 2 == 0);
    }
    // Finder patterns with their light separators.
    for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                if (0..size as i32).contains(&x) && (0..size as i32).contains(&y) {
                    let ring = dx.abs().max(dy.abs());
                    m.set_function(x as usize, y as usize, ring != 2 && ring != 4);
                }
            }
        }
    }
    let centers = alignment_centers(version);
    let last = centers.len().saturating_sub(1);
    for (i, &cx) in centers.iter().enumerate() {
        for (j, &cy) in centers.iter().enumerate() {
            if (i, j) == (0, 0) || (i, j) == (0, last) || (i, j) == (last, 0) {
                continue; // those corners hold finder patterns
            }
            for dy in -2i32..=2 {
                for dx in -2i32..=2 {
                    let ring = dx.abs().max(dy.abs());
                    m.set_function((cx as i32 + dx) as usize, (cy as i32 + dy) as usize, ring != 1);
                }
            }
        }
    }
    draw_format(m, 0); // reserves the format areas; redrawn once the mask is known
    if version >= 7 {
        let mut rem = version as u32;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        let bits = (version as u32) << 12 | rem;
        for i in 0..18 {
            let dark = bits >> i & 1 == 1;
            let (a, b) = (size - 11 + i % 3, i / 3);
            m.set_function(a, b, dark);
            m.set_function(b, a, dark);
        }
    }
}

/// Centres of the alignment patterns along each axis.
fn alignment_centers(version: usize) -> Vec<usize> {
    if version == 1 {
        return vec![];
    }
    let count = version / 7 + 2;
    let step = if version == 32 { 26 } else { (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2 };
    let size = version * 4 + 17;
    let mut centers: Vec<usize> = (0..count - 1).map(|i| size - 7 - i * step).collect();
    centers.push(6);
    centers.reverse();
    centers
}

/// Both copies of the 15 format bits (level and mask, BCH-protected), and the dark module.
fn draw_format(m: &mut Matrix, mask: u8) {
    let data = LEVEL_M << 3 | u32::from(mask);
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    let bits = (data << 10 | rem) ^ 0x5412;
    let bit = |i: usize| bits >> i & 1 == 1;
    let size = m.size;
    for i in 0..6 {
        m.set_function(8, i, bit(i));
    }
    m.set_function(8, 7, bit(6));
    m.set_function(8, 8, bit(7));
    m.set_function(7, 8, bit(8));
    for i in 9..15 {
        m.set_function(14 - i, 8, bit(i));
    }
    for i in 0..8 {
        m.set_function(size - 1 - i, 8, bit(i));
    }
    for i in 8..15 {
        m.set_function(8, size - 15 + i, bit(i));
    }
    m.set_function(8, size - 8, true);
}

/// Places the codewords in the zigzag of two-module columns, right to left, skipping the
/// vertical timing pattern.
fn place(m: &mut Matrix, codewords: &[u8]) {
    let size = m.size;
    let total = codewords.len() * 8;
    let mut i = 0;
    let mut right = size - 1;
    loop {
        if right == 6 {
            right = 5;
        }
        let upward = (right + 1) & 2 == 0;
        for step in 0..size {
            let y = if upward { size - 1 - step } else { step };
            for x in [right, right - 1] {
                if !m.function[y * size + x] && i < total {
                    m.set(x, y, codewords[i / 8] >> (7 - i % 8) & 1 == 1);
                    i += 1;
                }
            }
        }
        if right < 2 {
            break;
        }
        right -= 2;
    }
}
