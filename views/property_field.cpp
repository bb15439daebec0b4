#include "property_field.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>

#include <limits>

#include "schema_values.h"

namespace mr::ui {

namespace {
bool fitsSpinBox(const wire::PropertySchema& p)
{
    return p.type() == wire::TYPE_INTEGER && !p.hex() && p.special_zero().empty() && p.max() > p.min() &&
           p.min() >= std::numeric_limits<int>::min() && p.max() <= std::numeric_limits<int>::max();
}

QString placeholderFor(const wire::PropertySchema& p)
{
    switch (p.type()) {
    case wire::TYPE_MAC:
        return QStringLiteral("02:00:00:00:00:01");
    case wire::TYPE_IP_PREFIX:
        return QStringLiteral("10.0.0.1/24");
    case wire::TYPE_IP:
        return QStringLiteral("10.0.0.1");
    case wire::TYPE_DURATION:
        return QStringLiteral("1h2m3s");
    case wire::TYPE_SIZE: {
        // The range in the property's own unit; other units (k, M, G) are typed as 512M.
        const QString unit = QString::fromStdString(p.unit());
        QString t = p.max() > p.min() ? QStringLiteral("%1..%2 %3").arg(p.min()).arg(p.max()).arg(unit) : unit;
        if (!p.special_zero().empty())
            t += QStringLiteral(" or ") + QString::fromStdString(p.special_zero());
        return t;
    }
    case wire::TYPE_INTEGER:
        if (p.max() > p.min())
            return QStringLiteral("%1..%2").arg(p.min()).arg(p.max());
        return {};
    default:
        return QString::fromStdString(p.default_value());
    }
}

// Keeps what cannot become a valid value out of address fields while typing;
// the complete value is checked by validate().
QRegularExpression inputPattern(const wire::PropertySchema& p)
{
    switch (p.type()) {
    case wire::TYPE_MAC:
        return QRegularExpression(QStringLiteral("[0-9A-Fa-f]{0,2}(:[0-9A-Fa-f]{0,2}){0,5}"));
    case wire::TYPE_IP:
        return QRegularExpression(QStringLiteral("[0-9]{0,3}(\\.[0-9]{0,3}){0,3}"));
    case wire::TYPE_IP_PREFIX:
        return QRegularExpression(QStringLiteral("[0-9]{0,3}(\\.[0-9]{0,3}){0,3}(/[0-9]{0,2})?"));
    default:
        return {};
    }
}

QString toolTipFor(const wire::PropertySchema& p)
{
    QStringList lines;
    if (!p.description().empty())
        lines << QString::fromStdString(p.description());
    if (p.type() == wire::TYPE_INTEGER && p.max() > p.min())
        lines << QObject::tr("Range: %1..%2").arg(p.min()).arg(p.max());
    if (p.type() == wire::TYPE_SIZE && p.max() > p.min())
        lines << QObject::tr("Range: %1..%2 %3").arg(p.min()).arg(p.max()).arg(QString::fromStdString(p.unit()));
    if (!p.default_value().empty())
        lines << QObject::tr("Default: %1").arg(QString::fromStdString(protocol::formatValue(p, p.default_value())));
    return lines.join(QLatin1Char('\n'));
}
}  // namespace

PropertyField::PropertyField(wire::PropertySchema property, bool readOnly, QWidget* parent)
    : QObject(parent), property_(std::move(property))
{
    const auto& p = property_;
    const bool choice = !readOnly && (p.type() == wire::TYPE_BOOL || p.type() == wire::TYPE_ENUM ||
                                      p.type() == wire::TYPE_REFERENCE);
    if (choice) {
        combo_ = new QComboBox(parent);
        if (p.type() == wire::TYPE_BOOL)
            combo_->addItems({QStringLiteral("yes"), QStringLiteral("no")});
        for (const auto& v : p.enum_values())
            combo_->addItem(QString::fromStdString(v));
        if (p.type() == wire::TYPE_REFERENCE) {
            // Names come from the referenced menu, but a name typed by hand is fine too.
            combo_->setEditable(true);
            combo_->setInsertPolicy(QComboBox::NoInsert);
            connect(combo_, &QComboBox::editTextChanged, this, &PropertyField::edited);
        }
        if (p.nullable())
            combo_->addItem(QStringLiteral("none"));
        connect(combo_, &QComboBox::currentTextChanged, this, &PropertyField::edited);
        editor_ = combo_;
    } else if (!readOnly && fitsSpinBox(p)) {
        spin_ = new QSpinBox(parent);
        spin_->setRange(static_cast<int>(p.min()), static_cast<int>(p.max()));
        if (!p.unit().empty())
            spin_->setSuffix(QStringLiteral(" ") + QString::fromStdString(p.unit()));
        connect(spin_, &QSpinBox::valueChanged, this, &PropertyField::edited);
        editor_ = spin_;
    } else {
        line_ = new QLineEdit(parent);
        line_->setReadOnly(readOnly);
        if (readOnly)  // observed values: not an editor, though still selectable
            line_->setStyleSheet(QStringLiteral("QLineEdit { background: palette(window); }"));
        if (!readOnly) {
            line_->setPlaceholderText(placeholderFor(p));
            if (const QRegularExpression re = inputPattern(p); !re.pattern().isEmpty())
                line_->setValidator(new QRegularExpressionValidator(re, line_));
        }
        connect(line_, &QLineEdit::textEdited, this, [this] {
            // Immediate feedback while typing; the daemon has the last word.
            validate();
            emit edited();
        });
        editor_ = line_;
    }
    editor_->setObjectName(QString::fromStdString(p.name()));
    editor_->setToolTip(toolTipFor(p));
    error_ = new QLabel(parent);
    error_->setObjectName(QString::fromStdString(p.name()) + QStringLiteral("-error"));
    error_->setStyleSheet(QStringLiteral("color: #c0392b;"));
    error_->setWordWrap(true);
    error_->hide();
    // Nothing entered yet: an add dialog starts from the schema's default.
    setStoredValue(p.default_value());
}

void PropertyField::setStoredValue(const std::string& stored)
{
    const QString shown = stored.empty() ? QString() : QString::fromStdString(protocol::formatValue(property_, stored));
    if (combo_) {
        const int i = combo_->findText(shown);
        if (i >= 0)
            combo_->setCurrentIndex(i);
        else if (combo_->isEditable())
            combo_->setEditText(shown);
        else if (shown.isEmpty())
            combo_->setCurrentIndex(-1);
        else {
            combo_->addItem(shown);
            combo_->setCurrentIndex(combo_->count() - 1);
        }
    } else if (spin_) {
        spin_->setValue(shown.isEmpty() ? spin_->minimum() : shown.toInt());
        if (shown.isEmpty())
            spin_->clear();
    } else {
        line_->setText(shown);
    }
    initial_ = text();
}

void PropertyField::setChoices(const QStringList& choices)
{
    if (!combo_)
        return;
    const QString current = text();
    const bool wasChanged = isChanged();
    QSignalBlocker block(combo_);
    combo_->clear();
    combo_->addItems(choices);
    if (property_.nullable())
        combo_->addItem(QStringLiteral("none"));
    combo_->setEditText(current);
    const int i = combo_->findText(current);
    combo_->setCurrentIndex(i);
    if (i < 0)
        combo_->setEditText(current);
    if (!wasChanged)
        initial_ = text();
}

QString PropertyField::text() const
{
    if (combo_)
        return combo_->currentText();
    if (spin_)
        return spin_->cleanText();
    return line_->text();
}

QString PropertyField::validate()
{
    const QString t = text();
    if (t.isEmpty()) {
        clearError();
        return {};  // left empty: the daemon's default or "required" applies
    }
    auto r = protocol::parseValue(property_, t.toStdString());
    const QString message = r ? QString() : QString::fromStdString(r.error().text());
    showError(message);
    return message;
}

void PropertyField::showError(const QString& message)
{
    error_->setText(message);
    error_->setVisible(!message.isEmpty());
    editor_->setStyleSheet(message.isEmpty() ? QString() : QStringLiteral("border: 1px solid #c0392b;"));
}

}  // namespace mr::ui
