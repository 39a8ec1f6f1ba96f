Attribute VB_Name = "Module1"
' Module1 of the party-cell year-end review workbook (package xlwings_addin).
'
' Hand-written, ASCII only. The VBA project uses code page 1252, which has no
' Vietnamese letters, so every Vietnamese text (messages, captions) comes from
' Python or from the sheets, never from this module.
'
' The build (xlwings_addin/excel/vbaproject.py) puts this text into the
' Module1 of the VBA project that xlwings ships, next to xlwings' own module
' (which provides RunPython), and appends the generated UDF wrappers below.
'
' On purpose there is:
' - no macro that runs by itself when the file is opened: the user starts
'   each action with a button. Macro scanners (oletools' mraptor) flag
'   auto-run macros, and they match names even inside comments, which is why
'   those names are not spelled out here;
' - no starting of other programs here (xlwings' RunPython starts Python);
' - no command built from cell text: each macro runs one fixed Python call,
'   so nothing typed into the workbook can become code.
'
' No "Option Explicit": the UDF wrappers that xlwings generates use an
' undeclared loop variable for functions with *args.
'
' The generated wrappers test "#If App = ...". Conditional compilation
' constants are private to their module, so Module1 needs its own copy of the
' constant that xlwings' module declares.
#Const App = "Microsoft Excel" 'Adjust when using outside of Excel

' Button "Tinh ket qua": count the ballots and write the results.
Sub TinhKetQua()
    RunPython "import xlwings_addin.excel.macros as m; m.tinh_ket_qua()"
End Sub

' Button "Xuat bien ban": write the minutes document.
Sub XuatBienBan()
    RunPython "import xlwings_addin.excel.macros as m; m.xuat_bien_ban()"
End Sub

' Button "Xuat ho so gui cap uy": the extract of the minutes, the report,
' the score forms and (once decided) the notice of results.
Sub XuatHoSo()
    RunPython "import xlwings_addin.excel.macros as m; m.xuat_ho_so()"
End Sub

' Button "In phieu": prepare the ballot papers for printing.
Sub InPhieu()
    RunPython "import xlwings_addin.excel.macros as m; m.in_phieu()"
End Sub

' Button "Kiem tra moi truong": check the installation (Python, xlwings,
' package). It must still say something useful when Python itself is
' missing, so failures of RunPython lead to a plain VBA message:
' - RunPython returns -1 when the Python process fails, e.g. "python" is not
'   on PATH or xlwings is not installed (xlwings has shown the error text
'   first);
' - a VBA run-time error inside RunPython lands in the handler below.
' A configured Interpreter_Win path that does not exist is reported by
' xlwings itself ("Could not find Interpreter!") and returns nothing we can
' tell apart from success.
Sub KiemTraMoiTruong()
    Dim result As Variant
    On Error GoTo Failed
    result = RunPython("import xlwings_addin.excel.macros as m; m.kiem_tra_moi_truong()")
    On Error GoTo 0
    If Not IsEmpty(result) Then
        If result = -1 Then ShowPythonHint ""
    End If
    Exit Sub
Failed:
    ShowPythonHint "Error " & Err.Number & ": " & Err.Description
End Sub

Private Sub ShowPythonHint(details As String)
    Dim msg As String
    msg = "Python or xlwings not found. Please read the first sheet (guide) of this workbook."
    If details <> "" Then msg = msg & vbCrLf & vbCrLf & details
    MsgBox msg, vbExclamation, "Kiem tra moi truong"
End Sub
