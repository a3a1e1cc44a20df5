//! An invoice as a PDF (with `pdf-writer`): A4 pages in Helvetica, one of
//! the fonts every reader has, so nothing is embedded; text is written
//! uncompressed in WinAnsi, the base fonts' Latin encoding (a character
//! outside it prints as `?`).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::api::{InvoiceKind, InvoiceView};

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;
const LINE: f32 = 16.0;
/// Invoice lines on a page after the first's header.
const LINES_PER_PAGE: usize = 38;

/// What the document is: "Invoice 000042", "Credit note 000043", "Invoice draft".
pub fn title(invoice: &InvoiceView) -> String {
    let kind = match invoice.kind {
        InvoiceKind::Invoice => "Invoice",
        InvoiceKind::CreditNote => "Credit note",
    };
    let number = invoice.number.map_or_else(|| "draft".to_owned(), |number| format!("{number:06}"));
    format!("{kind} {number}")
}

/// The PDF's file name: `invoice-000042.pdf`, `credit-note-000043.pdf`, `invoice-draft.pdf`.
pub fn file_name(invoice: &InvoiceView) -> String {
    format!("{}.pdf", title(invoice).to_lowercase().replace(' ', "-"))
}

/// The invoice `invoice` of `clinic` as PDF bytes.
pub fn render(invoice: &InvoiceView, clinic: &str) -> Vec<u8> {
    let mut rows: Vec<(f32, String)> = Vec::new();
    rows.push((18.0, title(invoice)));
    rows.push((11.0, clinic.to_owned()));
    if let Some(issued) = invoice.issued_at {
        rows.push((11.0, format!("Issued {}", issued.format("%-d %B %Y"))));
    }
    if let Some(note) = &invoice.note {
        rows.push((11.0, note.clone()));
    }
    rows.push((11.0, String::new()));
    rows.push((11.0, "Description | Quantity | Unit price | Tax rate | Net | Tax".to_owned()));
    for line in &invoice.lines {
        let rate = line.tax_rate * rust_decimal::Decimal::from(100);
        rows.push((
            11.0,
            format!(
                "{} | {} | {} | {}% | {} | {}",
                line.description,
                line.quantity,
                line.unit_price,
                rate.normalize(),
                line.net,
                line.tax
            ),
        ));
    }
    rows.push((11.0, String::new()));
    let currency = &invoice.currency;
    rows.push((11.0, format!("Subtotal: {} {currency}", invoice.subtotal)));
    rows.push((11.0, format!("Tax: {} {currency}", invoice.tax_total)));
    rows.push((13.0, format!("Total: {} {currency}", invoice.total)));
    document(&rows)
}

/// Writes `rows` (font size, text) top to bottom, starting a page when one is full.
fn document(rows: &[(f32, String)]) -> Vec<u8> {
    let pages: Vec<&[(f32, String)]> = rows.chunks(LINES_PER_PAGE).collect();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let font_name = Name(b"F1");
    let page_ids: Vec<Ref> = (0..pages.len()).map(|at| Ref::new(4 + 2 * i32::try_from(at).unwrap_or(0))).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    pdf.type1_font(font).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (rows, id) in pages.iter().zip(&page_ids) {
        let contents = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1)).parent(tree).contents(contents);
        page.resources().fonts().pair(font_name, font);
        page.finish();
        let mut content = Content::new();
        let mut y = A4.1 - MARGIN;
        for (size, text) in rows.iter() {
            y -= LINE.max(*size + 4.0);
            content.begin_text();
            content.set_font(font_name, *size);
            content.next_line(MARGIN, y);
            content.show(Str(&win_ansi(text)));
            content.end_text();
        }
        pdf.stream(contents, &content.finish());
    }
    pdf.finish()
}

/// `text` in WinAnsi: ASCII and Latin-1 as they are, the euro sign at 0x80,
/// anything else `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|character| match u32::from(character) {
            code @ (0x20..=0x7e | 0xa0..=0xff) => u8::try_from(code).unwrap_or(b'?'),
            0x20ac => 0x80,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_win_ansi() {
        assert_eq!(win_ansi("Café 12 €"), b"Caf\xe9 12 \x80");
        assert_eq!(win_ansi("犬"), b"?");
    }
}
