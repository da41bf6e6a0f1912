"""The performance pack: the report's figures for a period, source and area as an Excel workbook or a PDF.

content.py builds a Pack (model.py) from the functions the screen uses; public.py hides small numbers for
publication; images.py draws its charts; excel.py and pdf.py write it.
"""
