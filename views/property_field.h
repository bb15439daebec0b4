#pragma once
// One property's editor in a property dialog: the widget that fits its type,
// local validation against the schema, and an error line under it.

#include <QObject>
#include <QString>
#include <QStringList>

#include <string>

#include "metarouter.pb.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace mr::ui {

class PropertyField final : public QObject {
    Q_OBJECT
public:
    // Widgets are created as children of parent (Qt owns them).
    PropertyField(wire::PropertySchema property, bool readOnly, QWidget* parent);

    const wire::PropertySchema& property() const { return property_; }
    QWidget* editor() const { return editor_; }
    QLabel* errorLabel() const { return error_; }

    // The value the dialog starts from (stored form); counts as unchanged.
    void setStoredValue(const std::string& stored);
    // Names of the referenced menu's objects, for a reference combo box.
    void setChoices(const QStringList& choices);
    // What is in the editor now, as the user would type it.
    QString text() const;
    bool isChanged() const { return text() != initial_; }
    // Checks text() against the schema; shows and returns the error.
    QString validate();
    void showError(const QString& message);
    void clearError() { showError({}); }
    // Accepts the current text as the new unchanged state (after Apply).
    void markSaved() { initial_ = text(); }

signals:
    void edited();

private:
    wire::PropertySchema property_;
    QWidget* editor_ = nullptr;   // one of the three below, owned by its parent
    QComboBox* combo_ = nullptr;
    QLineEdit* line_ = nullptr;
    QSpinBox* spin_ = nullptr;
    QLabel* error_ = nullptr;
    QString initial_;
};

}  // namespace mr::ui
