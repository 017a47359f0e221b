; Inno Setup 6 script: per-user installer of ESCAP Desktop for Windows 10/11 (x64).
;
; Built on Windows from the PyInstaller folder made by the SAME spec as Linux:
;     py installers\build.py
;     "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installers\windows\escap-desktop.iss
; Output: dist\escap-desktop-<version>-installation.exe. See installers/README.md.
;
; Per-user: no administrator rights (PrivilegesRequired=lowest), installed in
; %LOCALAPPDATA%\Programs\ESCAP Desktop ({autopf} resolves to {userpf} in per-user mode), a
; Start-menu entry, an uninstaller in "Applications et fonctionnalités". The professional's data
; (store, logs) are in %LOCALAPPDATA%\ESCAP Desktop and are NOT removed by the uninstaller.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "ESCAP Desktop"
#define SourceDir "..\..\dist\escap-desktop"
#define IconFile "..\..\build\icons\escap-desktop.ico"

[Setup]
; A fixed id: upgrades replace the previous installation instead of adding a second one.
AppId={{6F0C2B7E-5D1A-4E8B-9C3F-2A7B1E4D9C10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ESCAP Desktop
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=escap-desktop-{#AppVersion}-installation
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\escap-desktop.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Closing a running ESCAP Desktop before files are replaced keeps the store consistent.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "Créer une icône sur le Bureau"; GroupDescription: "Raccourcis :"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\escap-desktop.exe"; Comment: "Équipes de soins coordonnés avec le patient"
Name: "{autoprograms}\{#AppName} — auto-test"; Filename: "{app}\escap.exe"; Parameters: "--self-check"; Comment: "Vérifie l'installation"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\escap-desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\escap-desktop.exe"; Description: "Lancer {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself left beside its files (Python caches); never the data folder.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
