//! Choosing the mask: the spec's penalty for patterns that confuse a reader.

use super::matrix::Matrix;

const FINDER: [bool; 7] = [true, false, true, true, true, false, true];

/// The spec's penalty score (ISO/IEC 18004, 7.8.3): long runs, 2×2 blocks, finder-like
/// patterns and an unbalanced dark share. Outside the symbol counts as light.
pub(super) fn penalty(m: &Matrix) -> u32 {
    let size = m.size;
    let mut score = 0;
    // Each row and column in turn, copied between four light modules on either side, so the
    // patterns below are plain slice comparisons (eight masks are scored before the QR shows).
    // The tests hold it to the rules read module by module.
    let mut line = vec![false; size + 8];
    for horizontal in [true, false] {
        for a in 0..size {
            for b in 0..size {
                line[b + 4] = if horizontal { m.is_dark(b, a) } else { m.is_dark(a, b) };
            }
            score += line_score(&line);
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

/// A row's or column's runs of five or more, and its finder-like patterns (1:1:3:1:1
/// dark-light-dark with four light modules on either side). `line` has four light modules
/// added at each end.
fn line_score(line: &[bool]) -> u32 {
    let mut score = 0;
    for run in line[4..line.len() - 4].chunk_by(|x, y| x == y) {
        if run.len() >= 5 {
            score += run.len() as u32 - 2;
        }
    }
    for w in line.windows(15) {
        if w[4..11] == FINDER && (w[..4] == [false; 4] || w[11..] == [false; 4]) {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules read literally, module by module, each finder position checked once.
    fn literal(m: &Matrix) -> u32 {
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
                for b in 0..size as isize - 6 {
                    let core = FINDER.iter().enumerate().all(|(k, &d)| at(b + k as isize) == d);
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
        let dark = (0..size * size).filter(|i| m.is_dark(i % size, i / size)).count();
        score + 10 * ((dark * 20).abs_diff(size * size * 10) / (size * size)) as u32
    }

    #[test]
    fn scores_as_the_rules_read() {
        // Every mask of real codes at several versions: runs, blocks and finder-like patterns
        // at the edges and inside.
        for (version, len) in [(1, 10), (3, 40), (5, 67), (10, 200), (25, 900)] {
            let data: Vec<u8> = (0..len).map(|i| (i * 13 + version) as u8).collect();
            for mask in 0..8 {
                let m = super::super::encode_with(&data, version, mask).unwrap();
                assert_eq!(penalty(&m), literal(&m), "version {version} mask {mask}");
            }
        }
        assert_eq!(penalty(&Matrix::light(21)), literal(&Matrix::light(21)));
    }

    #[test]
    fn penalty_counts_runs_blocks_and_balance() {
        // An all-light 21×21 square: every row and column is one run of 21, every 2×2 block
        // is uniform, and it is 50 points from half dark.
        let m = Matrix::light(21);
        assert_eq!(penalty(&m), 42 * (3 + 16) + 400 * 3 + 100);
    }
}
