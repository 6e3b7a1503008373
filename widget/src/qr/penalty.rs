//! Choosing the mask: the spec's penalty for patterns that confuse a reader.

use super::matrix::Matrix;

/// The spec's penalty score (ISO/IEC 18004, 7.8.3): long runs, 2×2 blocks, finder-like
/// patterns and an unbalanced dark share. Outside the symbol counts as light.
pub(super) fn penalty(m: &Matrix) -> u32 {
    let size = m.size;
    let mut score = 0;
    for horizontal in [true, false] {
        for a in 0..size {
            let at = |b: isize| -> bool {
                if b < 0 || b >= size as isize {
                    return false;
                }
                let b = b as usize;
                if horizontal { m.is_dark(b, a) } else { m.is_dark(a, b) }
            };
            let mut run = 1;
            for b in 1..=size as isize {
                if b < size as isize && at(b) == at(b - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
            // 1:1:3:1:1 dark-light-dark with four light modules on either side.
            for b in 0..size as isize - 6 {
                let core = [true, false, true, true, true, false, true]
                    .iter()
                    .enumerate()
                    .all(|(k, &d)| at(b + k as isize) == d);
                let light = |from: isize| (from..from + 4).all(|k| !at(k));
                if core && (light(b - 4) || light(b + 7)) {
                    score += 40;
                }
            }
        }
    }
    for y in 0..size - 1 {
        for x in 0..size - 1 {
            let c = m.is_dark(x, y);
            if m.is_dark(x + 1, y) == c && m.is_dark(x, y + 1) == c && m.is_dark(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    let dark = m.dark.iter().filter(|&&d| d).count();
    let total = size * size;
    // 10 points for each full 5% away from half dark.
    let deviation = (dark * 20).abs_diff(total * 10);
    score += 10 * (deviation / total) as u32;
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_counts_runs_blocks_and_balance() {
        // An all-light 21×21 square: every row and column is one run of 21, every 2×2 block
        // is uniform, and it is 50 points from half dark.
        let m = Matrix::light(21);
        assert_eq!(penalty(&m), 42 * (3 + 16) + 400 * 3 + 100);
    }
}
