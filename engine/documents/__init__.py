"""Documents a programme writes from its data: headings, paragraphs, tables, images and plots, as
Markdown and as PDF (HTML through WeasyPrint, in the CJK font). Generic: the words are the caller's."""
