//! `vidlet ls`'s table.

use crate::api::Video;

/// Columns id, status, privacy, size, name; the name last and unpadded.
pub fn videos_table(videos: &[Video]) -> String {
    let header = ["ID", "STATUS", "PRIVACY", "SIZE", "NAME"];
    let rows: Vec<[String; 5]> = videos
        .iter()
        .map(|v| [v.id.clone(), v.status.clone(), v.privacy.clone(), human_size(v.size), printable(&v.name)])
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let padded: Vec<String> =
            cells[..4].iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        format!("{}  {}\n", padded.join("  "), cells[4])
    };
    let mut table = line(header);
    for row in &rows {
        table.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    table
}

/// 1536 → "1.5 KiB".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Names may hold tabs and newlines; a table row may not.
fn printable(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(id: &str, name: &str, size: u64) -> Video {
        Video { id: id.into(), name: name.into(), status: "ready".into(), privacy: "public".into(), size }
    }

    #[test]
    fn sizes_are_binary_units() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(8 * 1024 * 1024), "8.0 MiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0 GiB");
        assert_eq!(human_size(u64::MAX), "16384.0 PiB");
    }

    #[test]
    fn the_table_aligns_columns_and_flattens_names() {
        let table = videos_table(&[video("a", "first\tclip\n", 10), video("bbbbbbbb", "second", 2048)]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "ID        STATUS  PRIVACY  SIZE     NAME");
        assert_eq!(lines[1], "a         ready   public   10 B     first clip ");
        assert_eq!(lines[2], "bbbbbbbb  ready   public   2.0 KiB  second");
    }
}
