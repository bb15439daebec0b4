#pragma once
// MetaROUTER ▸ Import Image: uploads a local image file to the router's /file
// with a progress bar and Cancel, then runs the long-running import-image
// command and shows its progress ("imported: N%") and its result or error.

#include <QDialog>
#include <QPointer>
#include <QString>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace mr::protocol {
class ApiClient;
class FileUpload;
}

namespace mr::ui {

class ImportImageDialog final : public QDialog {
    Q_OBJECT
public:
    enum class Phase { Choosing, Uploading, Importing, Done, Failed };

    explicit ImportImageDialog(protocol::ApiClient* client, QWidget* parent = nullptr);

    QLineEdit* fileEdit() const { return file_; }
    QLineEdit* remoteNameEdit() const { return remoteName_; }
    QSpinBox* memoryEdit() const { return memory_; }
    QCheckBox* startEdit() const { return start_; }
    QProgressBar* progressBar() const { return progress_; }
    QPushButton* importButton() const { return import_; }
    QPushButton* cancelButton() const { return cancel_; }
    Phase phase() const { return phase_; }
    QString statusText() const;
    // The import's final output (or error) once Done (Failed).
    QString result() const { return result_; }

    // Starts the upload of fileEdit()'s file, then the import.
    void startImport();
    // While uploading: cancels it (nothing stays on the router); else closes.
    void cancel();

signals:
    // A result for the main window's status bar.
    void message(const QString& text);

private:
    void runImport();
    void setPhase(Phase phase, const QString& text);
    void browse();
    void updateButtons();

    QPointer<protocol::ApiClient> client_;
    QPointer<protocol::FileUpload> upload_;
    QLineEdit* file_ = nullptr;
    QToolButton* browse_ = nullptr;
    QLineEdit* remoteName_ = nullptr;
    QSpinBox* memory_ = nullptr;
    QCheckBox* start_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* import_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
    Phase phase_ = Phase::Choosing;
    QString result_;
    bool remoteNameEdited_ = false;
};

}  // namespace mr::ui
