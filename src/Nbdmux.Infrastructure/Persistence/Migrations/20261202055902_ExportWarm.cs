using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nbdmux.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ExportWarm : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "bytes_done",
                table: "exports",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "bytes_total",
                table: "exports",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "completed_at",
                table: "exports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "enqueued_at",
                table: "exports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "error",
                table: "exports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "format",
                table: "exports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sha256",
                table: "exports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "src_url",
                table: "exports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "started_at",
                table: "exports",
                type: "TEXT",
                nullable: true);

            // Every export registered before warms existed serves a file: it is ready.
            migrationBuilder.AddColumn<string>(
                name: "status",
                table: "exports",
                type: "TEXT",
                nullable: false,
                defaultValue: "ready");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "bytes_done",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "bytes_total",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "completed_at",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "enqueued_at",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "error",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "format",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "sha256",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "src_url",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "started_at",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "status",
                table: "exports");
        }
    }
}
