// Replays every tests/cli/transcripts/*.txt session through the engine.

#include <QDir>
#include <QFile>
#include <QtTest>

#include <cstdio>

#include "transcript.h"

class TestTranscripts : public QObject {
    Q_OBJECT
private slots:
    void replay_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(MR_CLI_TRANSCRIPTS));
        const auto files = dir.entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name);
        QVERIFY2(files.size() >= 5, "transcripts are missing");
        for (const auto& f : files)
            QTest::newRow(f.toUtf8().constData()) << dir.filePath(f);
    }

    void replay()
    {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const std::string text = file.readAll().toStdString();
        const std::string failure =
            mr::cli::test::Transcript::replay(text, QFileInfo(path).fileName().toStdString());
        if (!failure.empty()) {
            // QtTest cuts long messages; the whole diff matters here.
            std::fprintf(stderr, "%s\n", failure.c_str());
            QFAIL("transcript differs (see above)");
        }
    }
};

QTEST_APPLESS_MAIN(TestTranscripts)
#include "test_transcripts.moc"
