/**
 * The shared start of CryptoRun's self-contained HTML reports (performance, portfolio): doctype, the title,
 * the inline CSS (no external sheet, nothing fetched), up to the opening <body>. `title` is HTML already
 * escaped by the caller.
 */
export function reportPageHead(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 24px; color: #222; max-width: 1100px; }
table { border-collapse: collapse; margin: 8px 0 20px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 13px; }
th { background: #f3f3f3; font-weight: normal; }
.charts svg { display: block; margin: 12px 0; max-width: 100%; height: auto; border: 1px solid #eee; }
.note { color: #555; font-size: 13px; }
</style>
</head>
<body>
`;
}
