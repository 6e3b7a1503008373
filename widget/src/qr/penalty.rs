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

    /// The run and finder rules read literally, module by module, outside the line light.
    fn literal(line: &[bool]) -> u32 {
        let size = line.len() as isize;
        let at = |b: isize| (0..size).contains(&b) && line[b as usize];
        let mut score = 0;
        let mut run = 1;
        for b in 1..=size {
            if b < size && at(b) == at(b - 1) {
                run += 1;
            } else {
                if run >= 5 {
                    score += 3 + (run - 5);
                }
                run = 1;
            }
        }
        for b in 0..size - 6 {
            let core = FINDER.iter().enumerate().all(|(k, &d)| at(b + k as isize) == d);
            let light = |from: isize| (from..from + 4).all(|k| !at(k));
            if core && (light(b - 4) || light(b + 7)) {
                score += 40;
            }
        }
        score
    }

    #[test]
    fn rows_and_columns_score_as_the_rules_read() {
        // Every row and column of every mask of real codes, finder patterns at the edges too.
        for (version, len) in [(1, 10), (3, 40), (5, 67), (10, 200)] {
            let data: Vec<u8> = (0..len).map(|i| (i * 13 + version) as u8).collect();
            for mask in 0..8 {
                let m = super::super::encode_with(&data, version, mask).unwrap();
                for a in 0..m.size {
                    for line in [
                        (0..m.size).map(|b| m.is_dark(b, a)).collect::<Vec<_>>(),
                        (0..m.size).map(|b| m.is_dark(a, b)).collect(),
                    ] {
                        let mut padded = vec![false; 4];
                        padded.extend(&line);
                        padded.extend([false; 4]);
                        assert_eq!(line_score(&padded), literal(&line), "version {version} mask {mask} line {a}");
                    }
                }
            }
        }
    }

    #[test]
    fn penalty_counts_runs_blocks_and_balance() {
        // An all-light 21×21 square: every row and column is one run of 21, every 2×2 block
        // is uniform, and it is 50 points from half dark.
        let m = Matrix::light(21);
        assert_eq!(penalty(&m), 42 * (3 + 16) + 400 * 3 + 100);
    }
}
