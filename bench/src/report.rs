//! Markdown sections: one per benchmark item, each with what it shows, its
//! goal and verdict, its tables and notes.

use std::fmt::Write;

#[derive(Clone, Debug)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.headers.len(), "row width");
        self.rows.push(cells);
    }

    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = line(&self.headers);
        out += &line(&vec!["---".to_string(); self.headers.len()]);
        for row in &self.rows {
            out += &line(row);
        }
        out
    }
}

#[derive(Clone, Debug, Default)]
pub struct Section {
    pub title: String,
    pub shows: String,
    /// The goal and whether it is met, as one line.
    pub goals: Vec<String>,
    pub tables: Vec<(String, Table)>,
    pub notes: Vec<String>,
}

impl Section {
    pub fn new(title: &str, shows: &str) -> Self {
        Section { title: title.into(), shows: shows.into(), ..Default::default() }
    }

    pub fn goal(&mut self, text: String) {
        self.goals.push(text);
    }

    pub fn table(&mut self, caption: &str, table: Table) {
        self.tables.push((caption.into(), table));
    }

    pub fn note(&mut self, text: String) {
        self.notes.push(text);
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n**What this shows:** {}\n\n", self.title, self.shows);
        for goal in &self.goals {
            let _ = writeln!(out, "- **Goal:** {goal}");
        }
        if !self.goals.is_empty() {
            out.push('\n');
        }
        for (caption, table) in &self.tables {
            if !caption.is_empty() {
                let _ = writeln!(out, "{caption}\n");
            }
            out += &table.markdown();
            out.push('\n');
        }
        for note in &self.notes {
            let _ = writeln!(out, "- {note}");
        }
        if !self.notes.is_empty() {
            out.push('\n');
        }
        out
    }

    /// A section for an item that failed: the error instead of numbers.
    pub fn failed(title: &str, error: &str) -> Self {
        let mut s = Section::new(title, "this item failed in this run; see the error.");
        s.goal("not measured: **not met**".into());
        s.note(format!("error: `{}`", error.replace('`', "'")));
        s
    }
}
